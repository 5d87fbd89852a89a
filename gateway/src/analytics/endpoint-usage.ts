import type pg from 'pg';
import { readRollups, totalCount, type AnalyticsFilter } from '../storage/rollup-read.ts';
import { requestStats, type RequestStats } from './request-stats.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { compareEndpoints, type EndpointKey } from '../domain/endpoint.ts';

export type EndpointStats = EndpointKey & RequestStats;

export const ENDPOINT_SORTS = [
  'count',
  'errors',
  'errorRate',
  'clientErrorRate',
  'serverErrorRate',
  'avg',
  'p50',
  'p95',
  'p99',
  'max',
  'endpoint',
] as const;
export type EndpointSort = (typeof ENDPOINT_SORTS)[number];

function sortValue(e: EndpointStats, sort: Exclude<EndpointSort, 'endpoint'>): number {
  switch (sort) {
    case 'count':
    case 'errors':
    case 'errorRate':
    case 'clientErrorRate':
    case 'serverErrorRate':
      return e[sort];
    default:
      return e.latency[sort] ?? -1;
  }
}

/** Descending by the chosen figure (ties by count, then by endpoint); 'endpoint' sorts by service, method, route. */
export function sortEndpoints(rows: EndpointStats[], sort: EndpointSort): EndpointStats[] {
  if (sort === 'endpoint') return rows.sort(compareEndpoints);
  return rows.sort((a, b) => sortValue(b, sort) - sortValue(a, sort) || b.count - a.count || compareEndpoints(a, b));
}

/** Every endpoint with traffic in the range, with its share of the filtered traffic. Unsorted. */
export async function readEndpointStats(pool: pg.Pool, range: ResolvedRange, filter: AnalyticsFilter = {}): Promise<EndpointStats[]> {
  const rows = await readRollups(pool, { range, filter, groupBy: ['service', 'method', 'route'] });
  const total = totalCount(rows);
  return rows.map((r) => ({ service: r.service, method: r.method, route: r.route, ...requestStats(r, total) }));
}

/** Per endpoint (service, method, route): count, share, error rates (4xx/5xx apart) and latency, sorted and limited. */
export async function getEndpointUsage(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; sort?: EndpointSort; limit: number },
): Promise<EndpointStats[]> {
  const rows = await readEndpointStats(pool, input.range, input.filter);
  return sortEndpoints(rows, input.sort ?? 'count').slice(0, input.limit);
}

/** The N endpoints with the highest p95 latency (ties by avg), with at least `minRequests` requests. */
export async function getSlowEndpoints(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; limit: number; minRequests?: number },
): Promise<EndpointStats[]> {
  const rows = (await readEndpointStats(pool, input.range, input.filter)).filter((r) => r.count >= (input.minRequests ?? 1));
  return rows
    .sort((a, b) => (b.latency.p95 ?? 0) - (a.latency.p95 ?? 0) || (b.latency.avg ?? 0) - (a.latency.avg ?? 0) || compareEndpoints(a, b))
    .slice(0, input.limit);
}
