import type pg from 'pg';
import { ROLLUP_TABLES } from './rollup-levels.ts';
import { compactRollups } from './rollup-compaction.ts';
import type { Logger } from '../logger.ts';

export interface RetentionPolicy {
  /** Raw logs, dead letters and batch digests older than this many days are removed. */
  retentionDays: number;
  /** Rollups (every level) outlive raw data: analyses of old ranges keep working. */
  rollupRetentionDays: number;
  /** Rows deleted per statement, so ingest never waits long on a retention lock. */
  batchSize?: number;
}

export interface RetentionResult {
  logs: number;
  deadLetters: number;
  batches: number;
  rollups: number;
}

const DAY_MS = 86_400_000;

async function deleteInBatches(pool: pg.Pool, sql: string, params: unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(sql, params);
    total += rowCount ?? 0;
    if (!rowCount) return total;
    // Yield between batches so ingest transactions interleave with the sweep.
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * One retention sweep: deletes expired rows in small batches (each its own short statement)
 * so it never blocks ingest. Raw logs follow `retentionDays`; rollups `rollupRetentionDays`.
 * Replicas may sweep at the same time: deletes are idempotent, so no coordination is needed.
 */
export async function sweepRetention(pool: pg.Pool, policy: RetentionPolicy, now = Date.now()): Promise<RetentionResult> {
  const limit = policy.batchSize ?? 5_000;
  const rawCutoff = new Date(now - policy.retentionDays * DAY_MS);
  const rollupCutoff = new Date(now - policy.rollupRetentionDays * DAY_MS);
  const run = (sql: string, cutoff: Date) => deleteInBatches(pool, sql, [cutoff, limit]);
  // By the primary key (timestamp, id): an index look-up per row, on a plain or a partitioned table.
  const logs = await run(
    'DELETE FROM logs WHERE (timestamp, id) IN (SELECT timestamp, id FROM logs WHERE timestamp < $1 ORDER BY timestamp LIMIT $2)',
    rawCutoff,
  );
  const deadLetters = await run(
    'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE received_at < $1 LIMIT $2)',
    rawCutoff,
  );
  const batches = await run(
    'DELETE FROM ingest_batches WHERE digest IN (SELECT digest FROM ingest_batches WHERE received_at < $1 LIMIT $2)',
    rawCutoff,
  );
  await run('DELETE FROM ingest_arrivals WHERE id IN (SELECT id FROM ingest_arrivals WHERE received_at < $1 LIMIT $2)', rawCutoff);
  let rollups = 0;
  // Marks first, so a bucket being removed is never read from a half-deleted endpoint level.
  for (const table of ['rollup_dirty', ...ROLLUP_TABLES]) {
    // Up to the bucket of the batchSize-th oldest expired row (so a little more than batchSize
    // rows): by bucket, not ctid, because a ctid names a row only within one table, and on Citus
    // a table is many shards (Citus refuses the ctid form).
    const removed = await run(
      `DELETE FROM ${table} WHERE bucket < $1
       AND bucket <= (SELECT max(bucket) FROM (SELECT bucket FROM ${table} WHERE bucket < $1 ORDER BY bucket LIMIT $2) AS oldest)`,
      rollupCutoff,
    );
    if (table !== 'rollup_dirty') rollups += removed;
  }
  return { logs, deadLetters, batches, rollups };
}

/**
 * Runs a sweep now and then every `intervalMs`, and rollup compaction (rollup-compaction.ts)
 * every `compactionIntervalMs`; returns a stop function.
 */
export function scheduleRetention(
  pool: () => pg.Pool | null,
  policy: RetentionPolicy,
  logger: Logger,
  intervalMs = 10 * 60_000,
  compactionIntervalMs = 30_000,
): () => void {
  let stopped = false;
  /** Runs `job` every `ms` (never two at once); a failure is logged, unless shutdown caused it. */
  const periodic = (what: string, ms: number, job: (p: pg.Pool) => Promise<void>) => {
    let running = false;
    const run = async () => {
      const p = pool();
      if (!p || running) return;
      running = true;
      try {
        await job(p);
      } catch (error) {
        // A run cut short by shutdown (pool ended) is not worth a warning.
        if (!stopped) logger.warn({ err: (error as Error).message }, `${what} failed; will retry`);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void run(), ms);
    timer.unref();
    return { run, timer };
  };
  const compaction = periodic('rollup compaction', compactionIntervalMs, async (p) => {
    await compactRollups(p);
  });
  const sweep = periodic('retention sweep', intervalMs, async (p) => {
    const result = await sweepRetention(p, policy);
    if (Object.values(result).some((n) => n > 0)) logger.info({ removed: result }, 'retention sweep');
  });
  void sweep.run();
  return () => {
    stopped = true;
    clearInterval(sweep.timer);
    clearInterval(compaction.timer);
  };
}
