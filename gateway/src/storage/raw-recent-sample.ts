import type pg from 'pg';
import { endpointKey } from '../domain/endpoint.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { logFilterSql } from './log-filter.ts';
import type { AnalyticsFilter } from './rollup-read.ts';

/**
 * Response sizes and client addresses come from raw logs, which have no rollup. Reading only the
 * newest this-many records of the range (a backward walk of the timestamp index) keeps the cost
 * flat however much the range holds; the evidence says how many were sampled.
 */
const RAW_SAMPLE_SIZE = 50_000;

export interface ResponseSizes {
  sampled: number;
  avgBytes: number;
  p95Bytes: number;
  maxBytes: number;
}

export interface ClientFacts {
  /** Records in the raw-log sample (the newest ones in the range) that carried a client IP. */
  sampleSize: number;
  distinctClients: number;
  /** Minutes the sample spans (for a request rate). */
  sampleMinutes: number;
  top: { ip: string; count: number }[];
}

/** Response sizes per endpoint over the newest RAW_SAMPLE_SIZE records of the range (keyed by endpointKey). */
export async function readResponseSizes(pool: pg.Pool, range: ResolvedRange, filter: AnalyticsFilter): Promise<Map<string, ResponseSizes>> {
  const { where, params } = logFilterSql({ ...filter, from: range.from, to: range.to });
  const { rows } = await pool.query<ResponseSizes & { service: string; method: string; route: string }>(
    `SELECT service, method, route, count(*)::int AS "sampled", avg(bytes)::float8 AS "avgBytes",
            percentile_disc(0.95) WITHIN GROUP (ORDER BY bytes)::float8 AS "p95Bytes", max(bytes)::float8 AS "maxBytes"
     FROM (SELECT service, method, route, bytes FROM logs WHERE ${where} ORDER BY timestamp DESC LIMIT $${params.length + 1}) AS sample
     WHERE bytes IS NOT NULL
     GROUP BY service, method, route`,
    [...params, RAW_SAMPLE_SIZE],
  );
  return new Map(
    rows.map((r) => [endpointKey(r), { sampled: r.sampled, avgBytes: r.avgBytes, p95Bytes: r.p95Bytes, maxBytes: r.maxBytes }]),
  );
}

/** The busiest client addresses over the newest RAW_SAMPLE_SIZE records of the range. */
export async function readTopClients(pool: pg.Pool, range: ResolvedRange, filter: AnalyticsFilter): Promise<ClientFacts | null> {
  const { where, params } = logFilterSql({ ...filter, from: range.from, to: range.to });
  const { rows } = await pool.query<{ ip: string; count: number; sample_size: number; distinct_clients: number; first: Date; last: Date }>(
    `SELECT ip_address AS ip, count(*)::int AS count, (sum(count(*)) OVER ())::int AS sample_size, (count(*) OVER ())::int AS distinct_clients,
            min(min(timestamp)) OVER () AS first, max(max(timestamp)) OVER () AS last
     FROM (SELECT ip_address, timestamp FROM logs WHERE ${where} ORDER BY timestamp DESC LIMIT $${params.length + 1}) AS sample
     WHERE ip_address IS NOT NULL
     GROUP BY ip_address
     ORDER BY count(*) DESC, ip_address COLLATE "C"
     LIMIT 5`,
    [...params, RAW_SAMPLE_SIZE],
  );
  const first = rows[0];
  if (!first) return null;
  return {
    sampleSize: first.sample_size,
    distinctClients: first.distinct_clients,
    sampleMinutes: (first.last.getTime() - first.first.getTime()) / 60_000,
    top: rows.map((r) => ({ ip: r.ip, count: r.count })),
  };
}
