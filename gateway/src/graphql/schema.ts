import { builder } from './builder.ts';
import './scalars.ts';
import './time-range.ts';
import './evidence.ts';
import './log.ts';
import './pipeline.ts';
import './traffic.ts';
import './endpoints.ts';
import './errors.ts';
import './patterns.ts';
import './recent-logs.ts';
import './live.ts';
import './anomalies.ts';
import './bottlenecks.ts';
import './recommendations.ts';
import './ai.ts';
import './ai-stream.ts';
import './alerts.ts';

/** The whole GraphQL schema; each imported file registers its own types and fields. */
export const schema = builder.toSchema({ sortSchema: false });
