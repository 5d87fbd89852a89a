import type pg from 'pg';
import { withTransaction } from './db.ts';
import { DERIVED_BUILD_ORDER, DIRTY_BUCKET_SECONDS, derivedRollupSql, latencySummarySql, SUMMARISED_TABLES } from './rollup-levels.ts';

/**
 * Compaction: rebuilds the endpoint rollups (rollup-levels.ts) of the 5-minute buckets
 * ingest marked in rollup_dirty, then removes the marks.
 *
 * Why a marked bucket is never read stale: a batch changes the minute rollups of bucket X and
 * upserts X's mark in ONE statement, holding the mark's row lock until it commits. Compaction
 * of X first deletes the mark (waiting for every batch holding it, so they have committed),
 * then, in later statements of the same transaction (fresh READ COMMITTED snapshots that see
 * those batches), rebuilds X's rows. A batch arriving meanwhile waits on the deleted mark and
 * re-marks X after compaction commits. Readers use an endpoint bucket only when no 5-minute
 * bucket inside it is marked.
 */

/** Buckets are compacted once they ended this long ago; the live one would be re-marked at once. */
const SETTLE_MS = 60_000;
const MAX_BUCKETS_PER_RUN = 500;
// Any constant works; it only has to be the same for every gateway replica.
const COMPACTION_LOCK_KEY = 7_403_118_222;

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/** Rebuilds every endpoint level around one marked 5-minute bucket and removes its mark. */
async function compactBucket(pool: pg.Pool, bucket: Date): Promise<void> {
  await withTransaction(pool, async (client) => {
    // One compactor at a time: levels coarser than 5 minutes are shared by neighbouring marks.
    await client.query('SELECT pg_advisory_xact_lock($1)', [COMPACTION_LOCK_KEY]);
    await client.query('DELETE FROM rollup_dirty WHERE bucket = $1', [bucket]);
    for (const level of DERIVED_BUILD_ORDER) {
      const step = level.seconds * 1000;
      const from = new Date(floorTo(bucket.getTime(), step));
      const to = new Date(from.getTime() + step);
      await client.query(`DELETE FROM ${level.table} WHERE bucket >= $1 AND bucket < $2`, [from, to]);
      await client.query(derivedRollupSql(level, 'bucket >= $1 AND bucket < $2'), [from, to]);
      if (SUMMARISED_TABLES.has(level.table)) await client.query(latencySummarySql(level, 'bucket >= $1 AND bucket < $2'), [from, to]);
    }
  });
}

/**
 * Compacts the marked buckets that ended at least a minute before `now` (oldest first, at most
 * 500 per call). Returns how many it compacted; safe to run on several replicas at once.
 */
export async function compactRollups(pool: pg.Pool, now = Date.now()): Promise<number> {
  // A bucket starting at or before this ended at least SETTLE_MS ago.
  const settled = new Date(now - SETTLE_MS - DIRTY_BUCKET_SECONDS * 1000);
  const { rows } = await pool.query<{ bucket: Date }>('SELECT bucket FROM rollup_dirty WHERE bucket <= $1 ORDER BY bucket LIMIT $2', [
    settled,
    MAX_BUCKETS_PER_RUN,
  ]);
  for (const row of rows) await compactBucket(pool, row.bucket);
  return rows.length;
}
