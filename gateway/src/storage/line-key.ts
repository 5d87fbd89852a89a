import type pg from 'pg';

/**
 * Per-record idempotency. A shipper can send one log line twice in different batches: Fluent Bit
 * re-reads a rotated file that a glob finds again after `rotate_wait`, or re-reads lines after a
 * kill -9 between sending a chunk and saving its position. Batch digests cannot see that, so
 * each row carries a 64-bit key of its content and `logs` holds at most one row per
 * (service, timestamp, line_key) — the Loki rule: an entry identical to one already stored for
 * the same stream at the same timestamp is the same entry. Two real requests identical in every
 * field (request_id included) within one millisecond are therefore stored once.
 *
 * The key is computed by PostgreSQL from the JSON text of the columns the batch already sends
 * (cheaper than hashing in Node, and one definition for the insert and the lookup below).
 * The time and service are not in it: they are the index's own columns.
 */
export const LINE_KEY_SQL = `hashtextextended(concat_ws(e'\\x1f', m, p, st, l, coalesce(ua, e'\\x1e'), coalesce(ip, e'\\x1e'), coalesce(rq, e'\\x1e'), coalesce(b, e'\\x1e'), coalesce(x, e'\\x1e')), 0)`;

/** The row time as stored (timestamptz(3)), from epoch milliseconds as JSON text. */
export const ROW_TIME_SQL = 'to_timestamp(ts::float8 / 1000)::timestamptz(3)';

/** The 12 record columns as `json_array_elements_text` sources, starting at parameter `first`. */
export function recordColumnsSql(first: number): string {
  const sources = Array.from({ length: 12 }, (_, i) => `json_array_elements_text($${first + i}::json)`).join(', ');
  return `ROWS FROM (${sources})`;
}
export const RECORD_COLUMN_NAMES = 'ts, s, m, p, rt, st, l, ua, ip, rq, b, x';

/** SQLSTATE raised by logpulse_assert_all_stored() (migration 20261205000000_log_line_key). */
export const RECORDS_ALREADY_STORED = 'LP001';

const FIND_STORED = `SELECT ord::int AS ord FROM (
  SELECT ord, s, t, k, row_number() OVER (PARTITION BY s, t, k ORDER BY ord) AS nth
  FROM (SELECT ord, s, ${ROW_TIME_SQL} AS t, ${LINE_KEY_SQL} AS k
        FROM ${recordColumnsSql(1)} WITH ORDINALITY AS c(${RECORD_COLUMN_NAMES}, ord)) AS keyed
) AS r
WHERE nth > 1 OR EXISTS (SELECT 1 FROM logs WHERE logs.service = r.s AND logs.timestamp = r.t AND logs.line_key = r.k)`;

/**
 * Positions (0-based) of the records in `columns` that are already stored, or that repeat an
 * earlier record of the same batch. Only called when an insert found such records.
 */
export async function findStoredRecords(pool: pg.Pool, columns: readonly string[]): Promise<Set<number>> {
  const { rows } = await pool.query<{ ord: number }>(FIND_STORED, [...columns]);
  return new Set(rows.map((r) => r.ord - 1));
}
