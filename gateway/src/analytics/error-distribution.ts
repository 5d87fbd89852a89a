import type pg from 'pg';
import { readRollups, totalCount, type AnalyticsFilter } from '../storage/rollup-read.ts';
import { ratio } from './request-stats.ts';import type { ResolvedRange } from '../domain/time-range.ts';
import { compareEndpoints, type EndpointKey } from '../domain/endpoint.ts';

export interface StatusShare {
  status: number;
  /** 1..5 (the hundreds digit). */
  statusClass: number;
  count: number;
  /** Share of all requests. */
  share: number;
  /** Share of error requests (4xx + 5xx); 0 for statuses below 400. */
  errorShare: number;
}

export interface StatusClassShare {
  statusClass: number;
  /** "2xx", "4xx"… */
  label: string;
  count: number;
  share: number;
  errorShare: number;
}

export interface ErrorDistribution {
  total: number;
  errors: number;
  errorRate: number;
  byStatus: StatusShare[];
  byClass: StatusClassShare[];
}

const isError = (status: number) => status >= 400;
export const statusClassOf = (status: number): number => Math.floor(status / 100);

/** Turns per-status counts into shares of all requests and of errors, by status and by class. */
export function distributionOf(counts: { status: number; count: number }[]): ErrorDistribution {
  const total = totalCount(counts);
  const errors = totalCount(counts.filter((c) => isError(c.status)));
  const byStatus = counts
    .map(({ status, count }) => ({
      status,
      statusClass: statusClassOf(status),
      count,
      share: ratio(count, total),
      errorShare: isError(status) ? ratio(count, errors) : 0,
    }))
    .sort((a, b) => a.status - b.status);
  const classes = new Map<number, number>();
  for (const s of byStatus) classes.set(s.statusClass, (classes.get(s.statusClass) ?? 0) + s.count);
  const byClass = [...classes]
    .sort(([a], [b]) => a - b)
    .map(([statusClass, count]) => ({
      statusClass,
      label: `${statusClass}xx`,
      count,
      share: ratio(count, total),
      errorShare: statusClass >= 4 ? ratio(count, errors) : 0,
    }));
  return { total, errors, errorRate: ratio(errors, total), byStatus, byClass };
}

/** Requests per status code and per class (2xx…5xx), with their shares of all requests and of errors. */
export async function getErrorDistribution(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter },
): Promise<ErrorDistribution> {
  const rows = await readRollups(pool, { range: input.range, filter: input.filter, groupBy: ['status'], histograms: false });
  return distributionOf(rows);
}

export interface EndpointCount extends EndpointKey {
  count: number;
  /** Share of the requests with this status. */
  share: number;
}

export interface StatusEndpoints {
  status: number;
  count: number;
  /** Share of all requests. */
  share: number;
  endpoints: EndpointCount[];
}

/** For each status code, the endpoints that answered it most often (at most `limit` each). */
export async function getStatusEndpointTop(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; limit: number },
): Promise<StatusEndpoints[]> {
  const rows = await readRollups(pool, {
    range: input.range,
    filter: input.filter,
    groupBy: ['status', 'service', 'method', 'route'],
    histograms: false,
  });
  const total = totalCount(rows);
  const byStatus = new Map<number, EndpointCount[]>();
  for (const r of rows) {
    const list = byStatus.get(r.status) ?? [];
    list.push({ service: r.service, method: r.method, route: r.route, count: r.count, share: 0 });
    byStatus.set(r.status, list);
  }
  return [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, endpoints]) => {
      const count = totalCount(endpoints);
      const top = endpoints
        .sort((a, b) => b.count - a.count || compareEndpoints(a, b))
        .slice(0, input.limit)
        .map((e) => ({ ...e, share: ratio(e.count, count) }));
      return { status, count, share: ratio(count, total), endpoints: top };
    });
}
