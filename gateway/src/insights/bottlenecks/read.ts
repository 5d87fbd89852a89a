import type pg from 'pg';
import { findBottlenecks, type Bottleneck } from './rules.ts';
import { readEndpointStats } from '../../analytics/endpoint-usage.ts';
import type { AnalyticsFilter } from '../../storage/rollup-read.ts';
import type { ResolvedRange } from '../../domain/time-range.ts';

export const DEFAULT_P95_THRESHOLD_MS = 500;
export const DEFAULT_BOTTLENECK_MIN_REQUESTS = 20;

export interface BottleneckQuery {
  range: ResolvedRange;
  filter?: AnalyticsFilter;
  p95ThresholdMs?: number;
  minRequests?: number;
}

/** The period of the same length just before `range`: what "slower than before" compares with. */
export function previousPeriod(range: ResolvedRange): ResolvedRange {
  const length = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - length), to: range.from };
}

/**
 * Bottlenecks over a range: per-endpoint latency from the rollups for the range and for the
 * previous period of the same length. Service medians and time shares are computed over the
 * whole service (or every service) even when a route or method filter narrows the answer, so
 * "far above the service median" keeps its meaning.
 */
export async function getBottlenecks(pool: pg.Pool, query: BottleneckQuery): Promise<Bottleneck[]> {
  const filter = query.filter ?? {};
  const scope: AnalyticsFilter = { service: filter.service };
  const [current, previous] = await Promise.all([
    readEndpointStats(pool, query.range, scope),
    readEndpointStats(pool, previousPeriod(query.range), scope),
  ]);
  const found = findBottlenecks(current, previous, {
    p95ThresholdMs: query.p95ThresholdMs ?? DEFAULT_P95_THRESHOLD_MS,
    minRequests: query.minRequests ?? DEFAULT_BOTTLENECK_MIN_REQUESTS,
  });
  const method = filter.method?.toUpperCase();
  return found.filter((b) => (!filter.route || b.route === filter.route) && (!method || b.method === method));
}
