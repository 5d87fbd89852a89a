import type pg from 'pg';
import { readEndpointStats, sortEndpoints, type EndpointStats } from './endpoint-usage.ts';
import { readRollups, totalCount, type AnalyticsFilter } from '../storage/rollup-read.ts';
import { requestStats, type RequestStats } from './request-stats.ts';import type { ResolvedRange } from '../domain/time-range.ts';
import { compareText } from '../domain/endpoint.ts';

export interface ServiceStats extends RequestStats {
  service: string;
  /** Distinct (method, route) pairs with traffic in the range. */
  endpointCount: number;
}

/** Endpoints with traffic in the range, by service, method and route (for pickers and drill-downs). */
export async function getEndpoints(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; limit: number },
): Promise<EndpointStats[]> {
  return sortEndpoints(await readEndpointStats(pool, input.range, input.filter), 'endpoint').slice(0, input.limit);
}

/** Services with traffic in the range, busiest first, with their endpoint counts. */
export async function getServices(pool: pg.Pool, input: { range: ResolvedRange; filter?: AnalyticsFilter }): Promise<ServiceStats[]> {
  const [services, endpoints] = await Promise.all([
    readRollups(pool, { range: input.range, filter: input.filter, groupBy: ['service'] }),
    readRollups(pool, { range: input.range, filter: input.filter, groupBy: ['service', 'method', 'route'], histograms: false }),
  ]);
  const total = totalCount(services);
  const endpointCount = new Map<string, number>();
  for (const e of endpoints) endpointCount.set(e.service, (endpointCount.get(e.service) ?? 0) + 1);
  return services
    .map((s) => ({ service: s.service, endpointCount: endpointCount.get(s.service) ?? 0, ...requestStats(s, total) }))
    .sort((a, b) => b.count - a.count || compareText(a.service, b.service));
}
