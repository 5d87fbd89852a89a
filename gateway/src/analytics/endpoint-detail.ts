import type pg from 'pg';
import type { StoredLog } from '../domain/log-record.ts';
import { distributionOf, type StatusShare } from './error-distribution.ts';
import { logFilterSql } from '../storage/log-filter.ts';
import { DEFAULT_RAW_SAMPLE_ROWS } from '../storage/raw-sample-plan.ts';
import { rawSample, topRawValues, type RawSample } from '../storage/raw-top.ts';
import { selectLogs } from '../storage/raw-logs.ts';
import { ratio, requestStats, type RequestStats } from './request-stats.ts';
import { effectiveRange, EMPTY_MEASURES, readRollups } from '../storage/rollup-read.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import type { ValueShare } from './patterns.ts';
import { getTraffic, type TrafficPoint } from './traffic.ts';

export interface EndpointDetail extends Omit<RequestStats, 'share'> {
  service: string | null;
  method: string;
  route: string;
  bucketSeconds: number;
  series: TrafficPoint[];
  statuses: StatusShare[];
  /** Client IPs by requests, counted over `topClientsSample` (share = of those records). */
  topClients: ValueShare[];
  topClientsSample: RawSample;
  recentErrors: StoredLog[];
}

/**
 * Everything about one endpoint (route + method, optionally one service) over a range: totals,
 * its traffic and latency series, status breakdown (rollups), top client IPs (raw logs: every
 * record up to `maxRows`, a spread sample past it) and most recent 4xx/5xx records (raw logs
 * through the route index).
 */
export async function getEndpointDetail(
  pool: pg.Pool,
  input: {
    range: ResolvedRange;
    route: string;
    method: string;
    service?: string | null;
    bucketSeconds?: number;
    limit: number;
    maxRows?: number;
    /** The database is Citus (Database.citus). */
    citus: boolean;
  },
): Promise<EndpointDetail> {
  const filter = { service: input.service, route: input.route, method: input.method };
  const raw = { ...filter, ...effectiveRange(input.range) };
  const errorsWhere = logFilterSql(raw);
  const [totals, traffic, statuses, topClients, recentErrors] = await Promise.all([
    readRollups(pool, { range: input.range, filter, groupBy: [] }),
    getTraffic(pool, { range: input.range, filter, bucketSeconds: input.bucketSeconds }),
    readRollups(pool, { range: input.range, filter, groupBy: ['status'], histograms: false }),
    topRawValues(pool, {
      range: input.range,
      filter,
      columns: ['ip_address'],
      limit: input.limit,
      maxRows: input.maxRows ?? DEFAULT_RAW_SAMPLE_ROWS,
      citus: input.citus,
    }),
    selectLogs(pool, `${errorsWhere.where} AND status >= 400`, errorsWhere.params, input.limit),
  ]);
  const { share: _share, ...stats } = requestStats(totals[0] ?? EMPTY_MEASURES, 0);
  return {
    service: input.service ?? null,
    method: input.method.toUpperCase(),
    route: input.route,
    ...stats,
    bucketSeconds: traffic.bucketSeconds,
    series: traffic.points,
    statuses: distributionOf(statuses).byStatus,
    topClients: topClients.tops.ip_address.map((c) => ({ ...c, share: ratio(c.count, topClients.rows) })),
    topClientsSample: rawSample(topClients, stats.count),
    recentErrors,
  };
}
