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
 * dead-letter reasons (grouped without the offending value, with one sample). Batches and
 * records are counted when they ARRIVED (ingest_arrivals), whatever their own timestamps say:
 * a retry counts in the window it came in, an all-rejected batch counts for its service.
 */
export async function getPipelineHealth(pool: pg.Pool, range: ResolvedRange): Promise<PipelineHealth> {
  const lagFrom = new Date(Math.max(range.from.getTime(), range.to.getTime() - LAG_WINDOW_MS));
  const [totals, perService, lag, reasons, bodies] = await Promise.all([
    pool.query<{ batches: number; duplicates: number; last_batch_at: Date | null }>(
      `SELECT count(*)::int AS batches, (count(*) FILTER (WHERE duplicate))::int AS duplicates, max(received_at) AS last_batch_at
       FROM ingest_arrivals WHERE received_at >= $1 AND received_at < $2`,
      [range.from, range.to],
    ),
    // An arrival counts as a batch for every service its records (stored or rejected) went to.
    pool.query<{ service: string; batches: number; accepted: number; rejected: number; last_batch_at: Date }>(
      `WITH a AS (SELECT * FROM ingest_arrivals WHERE received_at >= $1 AND received_at < $2),
       parts AS (
         SELECT a.id, s.key AS service, s.value::int AS accepted, 0 AS rejected, a.received_at FROM a, jsonb_each_text(a.accepted_counts) AS s
         UNION ALL
         SELECT a.id, s.key, 0, s.value::int, a.received_at FROM a, jsonb_each_text(a.rejected_counts) AS s)
       SELECT service, count(DISTINCT id)::int AS batches, sum(accepted)::int AS accepted, sum(rejected)::int AS rejected,
              max(received_at) AS last_batch_at
       FROM parts GROUP BY service ORDER BY 1`,
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
  const t = totals.rows[0];
  return {
    batches: t?.batches ?? 0,
    accepted: sum((r) => r.accepted),
    rejected: sum((r) => r.rejected),
    duplicateBatches: t?.duplicates ?? 0,
    unparseableBodies: bodies.rows[0]?.n ?? 0,
    lastBatchAt: t?.last_batch_at ?? null,
    services,
    deadLetterReasons: reasons.rows.map((r) => ({ reason: r.reason, count: r.count, lastSeenAt: r.last_seen_at, sample: r.sample })),
  };
}
