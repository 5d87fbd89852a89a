/**
 * Bookkeeping of ingest requests by ARRIVAL (table `ingest_arrivals`): one row per request
 * answered 200 — stored, all records rejected, or a retry answered duplicate — with its records
 * counted per service they went to. pipelineHealth reads only these rows, so what a window
 * shows is what arrived in it, and it never changes afterwards.
 */
import type pg from 'pg';
import { GAMMA, MAX_KEY, MIN_MS, type SparseHistogram } from './histogram.ts';

/** What the bookkeeping needs of a batch (a subset of write-batch's BatchInput). */
export interface ArrivalInput {
  /** The ingest route's ?service= tag, else "default" (or the service a token is bound to). */
  service: string;
  records: readonly { service: string }[];
  /** `service`: the service a rejected record named, when it named a valid one. */
  rejections: readonly { service?: string }[];
}

/**
 * Rejected records per service: the service a record named; else the one service the batch's
 * stored records went to; else the batch's tag. So a shipper that sends no ?service= does not
 * make up a `default` service for the odd bad line.
 */
export function rejectedByService(batch: ArrivalInput): Record<string, number> {
  // Null prototype: a service may be named like an Object.prototype member (see countByService).
  const counts: Record<string, number> = Object.create(null);
  if (batch.rejections.length === 0) return counts;
  const first = batch.records[0]?.service;
  const sole = first !== undefined && batch.records.every((r) => r.service === first) ? first : undefined;
  for (const r of batch.rejections) {
    const service = r.service ?? sole ?? batch.service;
    counts[service] = (counts[service] ?? 0) + 1;
  }
  return counts;
}

/** The same services with 0 records: a duplicate arrival counts as a batch, never as records. */
export function zeroCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(counts).map((k) => [k, 0]));
}

/**
 * A retry of a stored batch: bumps the original's duplicate counter and records the arrival now
 * ($1 digest, $2/$3 the services of the retried body's records, with 0 counts). Answers the
 * original's counts, which the ingest route repeats to the shipper.
 */
export const RECORD_DUPLICATE_ARRIVAL = `WITH original AS (
  UPDATE ingest_batches SET duplicates = duplicates + 1 WHERE digest = $1 RETURNING accepted, rejected
), arrival AS (
  INSERT INTO ingest_arrivals (digest, duplicate, accepted_counts, rejected_counts)
  SELECT $1, true, $2::jsonb, $3::jsonb FROM original
)
SELECT accepted, rejected FROM original`;

/** Per service, the epoch ms of the oldest record stored: its lag is the batch's lag for that service. */
export function oldestByService(records: readonly { service: string; timestamp: Date }[]): Record<string, number> {
  const oldest: Record<string, number> = Object.create(null);
  for (const r of records) {
    const t = r.timestamp.getTime();
    const seen = oldest[r.service];
    if (seen === undefined || t < seen) oldest[r.service] = t;
  }
  return oldest;
}

/**
 * The arrival's `lag_ms` from `param` (oldestByService as jsonb): received_at − each service's
 * oldest record, in whole ms, never negative (a shipper's clock ahead of ours is not "early").
 * Computed by PostgreSQL so it uses the same clock as received_at.
 */
export const ARRIVAL_LAG_SQL = (param: string) =>
  `(SELECT coalesce(jsonb_object_agg(o.key, greatest(0, round(extract(epoch FROM received_at) * 1000 - o.value::numeric))), '{}')
    FROM jsonb_each_text(${param}::jsonb) AS o)`;

/** Ingest lag over a window: a histogram of record lag (ms), each batch's records counted at its oldest record's lag. */
export interface IngestLagFigures {
  /** Stored records that arrived in the window (of the service, when given). */
  records: number;
  /** The largest batch lag in the window, ms; null without records. */
  maxMs: number | null;
  histogram: SparseHistogram;
}

/**
 * Reads the lag of the arrivals in (from, to], optionally of one service. Cost grows with the
 * requests in the window (one row each, via the received_at index), never with stored rows;
 * PostgreSQL folds them into at most a few hundred histogram keys.
 */
export async function readIngestLag(pool: pg.Pool, input: { from: Date; to: Date; service: string | null }): Promise<IngestLagFigures> {
  const { rows } = await pool.query<{ key: number; records: string; max_ms: number }>(
    `WITH lag AS (
       SELECT l.value::float8 AS ms, coalesce((a.accepted_counts ->> l.key)::bigint, 0) AS n
       FROM ingest_arrivals AS a, jsonb_each_text(a.lag_ms) AS l
       WHERE a.received_at > $1 AND a.received_at <= $2 AND NOT a.duplicate AND ($3::text IS NULL OR l.key = $3)
     )
     SELECT CASE WHEN ms <= ${MIN_MS} THEN 0 ELSE least(${MAX_KEY}, ceil(ln(ms / ${MIN_MS}) / ln(${GAMMA})))::int END AS key,
            sum(n)::text AS records, max(ms) AS max_ms
     FROM lag WHERE n > 0 GROUP BY 1 ORDER BY 1`,
    [input.from, input.to, input.service],
  );
  let records = 0;
  let maxMs: number | null = null;
  for (const r of rows) {
    records += Number(r.records);
    maxMs = Math.max(maxMs ?? 0, r.max_ms);
  }
  return { records, maxMs, histogram: { keys: rows.map((r) => r.key), counts: rows.map((r) => Number(r.records)) } };
}
