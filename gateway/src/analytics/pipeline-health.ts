import type pg from 'pg';
import type { ResolvedRange } from '../domain/time-range.ts';

export interface ServicePipeline {
  service: string;
  batches: number;
  accepted: number;
  rejected: number;
  lastBatchAt: Date | null;
  lagP50Ms: number | null;
  lagP95Ms: number | null;
}

export interface DeadLetterReason {
  reason: string;
  count: number;
  lastSeenAt: Date;
  sample: string;
}

export interface PipelineHealth {
  batches: number;
  accepted: number;
  rejected: number;
  duplicateBatches: number;
  unparseableBodies: number;
  lastBatchAt: Date | null;
  services: ServicePipeline[];
  deadLetterReasons: DeadLetterReason[];
}

/** Ingest lag is measured over the most recent records only: it describes "now", not history. */
const LAG_WINDOW_MS = 15 * 60_000;

/**
 * How the pipeline is doing over a range: batches and records accepted/rejected/duplicated,
 * per-service freshness and ingest lag (ingested_at − timestamp), and the commonest
 * dead-letter reasons (grouped without the offending value, with one sample).
 */
export async function getPipelineHealth(pool: pg.Pool, range: ResolvedRange): Promise<PipelineHealth> {
  const lagFrom = new Date(Math.max(range.from.getTime(), range.to.getTime() - LAG_WINDOW_MS));
  const [totals, perService, lag, reasons, bodies] = await Promise.all([
    pool.query<{ batches: number }>('SELECT count(*)::int AS batches FROM ingest_batches WHERE received_at >= $1 AND received_at < $2', [range.from, range.to]),
    // Batches may mix services, so per-service figures come from each batch's record counts;
    // rejections and duplicates belong to the batch (its ?service= tag).
    pool.query<{ service: string; batches: number; accepted: number; rejected: number; duplicates: number; last_batch_at: Date }>(
      `WITH b AS (SELECT * FROM ingest_batches WHERE received_at >= $1 AND received_at < $2),
       per_service AS (
         SELECT s.key AS service, count(*)::int AS batches, sum(s.value::int)::int AS accepted, max(b.received_at) AS last_batch_at
         FROM b, jsonb_each_text(b.service_counts) AS s GROUP BY s.key),
       per_tag AS (
         SELECT service, sum(rejected)::int AS rejected, sum(duplicates)::int AS duplicates, count(*)::int AS batches, max(received_at) AS last_batch_at
         FROM b GROUP BY service)
       SELECT coalesce(p.service, t.service) AS service, coalesce(p.batches, t.batches) AS batches, coalesce(p.accepted, 0) AS accepted,
              coalesce(t.rejected, 0) AS rejected, coalesce(t.duplicates, 0) AS duplicates, coalesce(p.last_batch_at, t.last_batch_at) AS last_batch_at
       FROM per_service p FULL JOIN per_tag t ON t.service = p.service ORDER BY 1`,
      [range.from, range.to],
    ),
    pool.query<{ service: string; p50: number | null; p95: number | null }>(
      `SELECT service,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ingested_at - timestamp) * 1000) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM ingested_at - timestamp) * 1000) AS p95
       FROM logs WHERE timestamp >= $1 AND timestamp < $2 GROUP BY service`,
      [lagFrom, range.to],
    ),
    pool.query<{ reason: string; count: number; last_seen_at: Date; sample: string }>(
      `SELECT split_part(reason, ' (got', 1) AS reason, count(*)::int AS count, max(received_at) AS last_seen_at,
              (array_agg(left(raw, 500) ORDER BY received_at DESC))[1] AS sample
       FROM dead_letters WHERE received_at >= $1 AND received_at < $2
       GROUP BY 1 ORDER BY count DESC, reason LIMIT 10`,
      [range.from, range.to],
    ),
    pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM dead_letters WHERE body IS NOT NULL AND received_at >= $1 AND received_at < $2',
      [range.from, range.to],
    ),
  ]);
  const lagByService = new Map(lag.rows.map((r) => [r.service, r]));
  const services = perService.rows.map((r) => ({
    service: r.service,
    batches: r.batches,
    accepted: r.accepted,
    rejected: r.rejected,
    lastBatchAt: r.last_batch_at,
    lagP50Ms: lagByService.get(r.service)?.p50 ?? null,
    lagP95Ms: lagByService.get(r.service)?.p95 ?? null,
  }));
  const sum = (f: (r: (typeof perService.rows)[number]) => number) => perService.rows.reduce((a, r) => a + f(r), 0);
  const last = perService.rows.reduce<Date | null>((a, r) => (!a || r.last_batch_at > a ? r.last_batch_at : a), null);
  const t = totals.rows[0];
  return {
    batches: t?.batches ?? 0,
    accepted: sum((r) => r.accepted),
    rejected: sum((r) => r.rejected),
    duplicateBatches: sum((r) => r.duplicates),
    unparseableBodies: bodies.rows[0]?.n ?? 0,
    lastBatchAt: last,
    services,
    deadLetterReasons: reasons.rows.map((r) => ({ reason: r.reason, count: r.count, lastSeenAt: r.last_seen_at, sample: r.sample })),
  };
}
