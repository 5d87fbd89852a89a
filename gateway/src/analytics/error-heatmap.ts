import type pg from 'pg';
import { readRollups, type AnalyticsFilter } from '../storage/rollup-read.ts';
import { ratio } from './request-stats.ts';import type { ResolvedRange } from '../domain/time-range.ts';
import { compareEndpoints, endpointLabel, type EndpointKey } from '../domain/endpoint.ts';

export interface HeatmapCell {
  /** Hour of day (0..23) in the requested zone. */
  hour: number;
  requests: number;
  errors: number;
  /** errors / requests; null when the hour had no requests (nivo draws it as empty). */
  errorRate: number | null;
}

export interface HeatmapRow extends EndpointKey {
  /** "service METHOD route": the row label. */
  id: string;
  requests: number;
  errors: number;
  errorRate: number;
  cells: HeatmapCell[];
}

/**
 * Hour-of-day × endpoint error-rate matrix in an IANA zone: one row per endpoint that had errors
 * (most errors first, at most `limit`), each with all 24 hours. Errors are 4xx and 5xx.
 */
export async function getErrorHeatmap(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; tz: string; limit: number },
): Promise<HeatmapRow[]> {
  const rows = await readRollups(pool, {
    range: input.range,
    filter: input.filter,
    tz: input.tz,
    groupBy: ['service', 'method', 'route', 'hourOfDay'],
    histograms: false,
  });
  const endpoints = new Map<string, HeatmapRow>();
  for (const r of rows) {
    const id = endpointLabel(r, true);
    let row = endpoints.get(id);
    if (!row) {
      const cells = Array.from({ length: 24 }, (_, hour) => ({ hour, requests: 0, errors: 0, errorRate: null as number | null }));
      row = { id, service: r.service, method: r.method, route: r.route, requests: 0, errors: 0, errorRate: 0, cells };
      endpoints.set(id, row);
    }
    const cell = row.cells[r.hourOfDay];
    if (!cell) continue;
    const errors = r.errors4xx + r.errors5xx;
    cell.requests += r.count;
    cell.errors += errors;
    row.requests += r.count;
    row.errors += errors;
  }
  const result = [...endpoints.values()].filter((row) => row.errors > 0);
  for (const row of result) {
    row.errorRate = ratio(row.errors, row.requests);
    for (const cell of row.cells) cell.errorRate = cell.requests > 0 ? cell.errors / cell.requests : null;
  }
  return result.sort((a, b) => b.errors - a.errors || compareEndpoints(a, b)).slice(0, input.limit);
}
