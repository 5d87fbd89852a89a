import type pg from 'pg';

const HOUR_MS = 3_600_000;

/**
 * Rollup rows an analysis reads per hour of range, measured on the data: the hour rollup's rows
 * per populated hour over the day before `now` (one row per service, endpoint and status; its
 * bucket-leading key makes this an index range read of a few thousand rows even at 10M records).
 * Finer reads (minute and 5-minute levels) scale with the same figure, so it is the factor that
 * turns an operation's range hours into the rows it will scan. 1 when the day holds nothing.
 */
export async function rollupRowsPerHour(pool: pg.Pool, now: number): Promise<number> {
  const { rows } = await pool.query<{ per_hour: number | null }>(
    `SELECT count(*)::float8 / NULLIF(count(DISTINCT bucket), 0) AS per_hour
       FROM rollup_hour WHERE bucket >= $1 AND bucket <= $2`,
    [new Date(now - 24 * HOUR_MS), new Date(now)],
  );
  return Math.max(1, Math.ceil(rows[0]?.per_hour ?? 1));
}

/**
 * A figure read at most once per `ttlMs`, one read at a time: every analysis asks for it, and
 * it changes as slowly as the set of endpoints does. A failed read (storage down) answers null,
 * so the caller can skip the check the query itself will fail anyway.
 */
export function cachedFigure(read: () => Promise<number>, ttlMs: number, now: () => number): () => Promise<number | null> {
  let value: number | null = null;
  let readAt = -Infinity;
  let pending: Promise<number | null> | null = null;
  return () => {
    if (now() - readAt < ttlMs) return Promise.resolve(value);
    pending ??= read().then(
      (v) => {
        value = v;
        readAt = now();
        pending = null;
        return v;
      },
      () => {
        pending = null;
        return value;
      },
    );
    return pending;
  };
}
