import type { LatencySummary } from '../storage/histogram.ts';
import { latencyOf, type RollupMeasures } from '../storage/rollup-read.ts';


/** Counts, rates and latency of a set of requests (an endpoint, a bucket, a service…). */
export interface RequestStats {
  count: number;
  /** Share of all requests in the analysed scope (0..1). */
  share: number;
  /** 4xx + 5xx. */
  errors: number;
  errors4xx: number;
  errors5xx: number;
  errorRate: number;
  clientErrorRate: number;
  serverErrorRate: number;
  latency: LatencySummary;
}

/** n / d, and 0 when there is nothing to divide (an empty bucket has no errors, not NaN). */
export const ratio = (n: number, d: number): number => (d > 0 ? n / d : 0);

export function requestStats(m: RollupMeasures, total: number): RequestStats {
  const errors = m.errors4xx + m.errors5xx;
  return {
    count: m.count,
    share: ratio(m.count, total),
    errors,
    errors4xx: m.errors4xx,
    errors5xx: m.errors5xx,
    errorRate: ratio(errors, m.count),
    clientErrorRate: ratio(m.errors4xx, m.count),
    serverErrorRate: ratio(m.errors5xx, m.count),
    latency: latencyOf(m),
  };
}

