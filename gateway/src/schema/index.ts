import { builder } from '../builder.ts';
import './scalars.ts';
import './time-range.ts';
import './evidence.ts';
import './log.ts';
import './pipeline.ts';

/** The whole GraphQL schema; each imported file registers its own types and fields. */
export const schema = builder.toSchema({ sortSchema: false });
