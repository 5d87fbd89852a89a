import type pg from 'pg';

/**
 * Per-record idempotency. A shipper can send one log line twice in different batches: Fluent Bit
 * re-reads a rotated file that a glob finds again after `rotate_wait`, or re-reads lines after a
 * kill -9 between sending a chunk and saving its position. Batch digests cannot see that, so
 * `logs` holds at most one row per (service, timestamp, content key) — the Loki rule: an entry
 * identical to one already stored for the same stream at the same timestamp is the same entry.
 * Two real requests identical in every field (request_id included) within one millisecond are
 * therefore stored once.
 *
 * The key is `logpulse_line_key(...)` (migration 20261205230000_log_line_key): a 64-bit hash of the
 * stored fields, kept only in the unique expression index, never in the row. The lookups below
 * call the same function on the same typed values, so they agree with the index by construction.
 */
/** The key of one input row, from the typed columns of `typedInputSql`. */
const LINE_KEY_SQL = 'logpulse_line_key(m, p, st, l, ua, ip, rq, b, x)';
/** The same key of a stored row: exactly the index expression, so the lookup can use the index. */
const STORED_LINE_KEY_SQL =
  'logpulse_line_key(logs.method, logs.path, logs.status, logs.latency_ms, logs.user_agent, logs.ip_address, logs.request_id, logs.bytes, logs.extra)';

/** The constraint that a record stored by a concurrent batch violates (SQLSTATE 23505). */
const LINE_KEY_CONSTRAINT = 'logs_service_timestamp_line_key_key';
const LINE_KEY_VIOLATED = new RegExp(`^${LINE_KEY_CONSTRAINT}(_\\d+)?$`);

/**
 * Whether `error` is a violation of the line key. On Citus the error comes from a worker and
 * reaches the gateway without its constraint field (and names the shard's index, the
 * constraint's name followed by `_` and the shard id): there the key in its detail tells,
 * `Key (service, "timestamp", logpulse_line_key(…))=(…)`.
 */
export function isLineKeyViolation(error: unknown): boolean {
  const { code, constraint, detail } = error as { code?: string; constraint?: string; detail?: string };
  if (code !== '23505') return false;
  return constraint !== undefined ? LINE_KEY_VIOLATED.test(constraint) : /\blogpulse_line_key\(/.test(detail ?? '');
}

/** The row time as stored (timestamptz(3)), from epoch milliseconds as JSON text. */
const ROW_TIME_SQL = 'to_timestamp(ts::float8 / 1000)::timestamptz(3)';

/** The 12 record columns as `json_array_elements_text` sources, starting at parameter `first`. */
function recordColumnsSql(first: number): string {
  const sources = Array.from({ length: 12 }, (_, i) => `json_array_elements_text($${first + i}::json)`).join(', ');
  return `ROWS FROM (${sources})`;
}
const RECORD_COLUMN_NAMES = 'ts, s, m, p, rt, st, l, ua, ip, rq, b, x';

/**
 * The records as typed rows (column names as RECORD_COLUMN_NAMES, `t` the row time), the values
 * exactly as they are stored, plus `ord` (1-based position) and `k` (the content key).
 */
export function typedInputSql(first: number): string {
  return `SELECT ord, t, s, m, p, rt, st, l, ua, ip, rq, b, x, ${LINE_KEY_SQL} AS k FROM (
    SELECT ord, ${ROW_TIME_SQL} AS t, s, m, p, rt, st::smallint AS st, l::float8 AS l, ua, ip, rq, b::int AS b, x::jsonb AS x
    FROM ${recordColumnsSql(first)} WITH ORDINALITY AS c(${RECORD_COLUMN_NAMES}, ord)) AS typed`;
}

/** Whether a record with this service, time and key is already stored (uses the unique index). */
export const STORED_SQL = (row: string) =>
  `EXISTS (SELECT 1 FROM logs WHERE logs.service = ${row}.s AND logs.timestamp = ${row}.t AND ${STORED_LINE_KEY_SQL} = ${row}.k)`;

// A join, not an EXISTS per input row: Citus cannot distribute a correlated subquery over a
// set-returning function, but it joins the shards with the input gathered once (the CTE).
const FIND_STORED = `WITH r AS MATERIALIZED (
  SELECT ord, s, t, k, row_number() OVER (PARTITION BY s, t, k ORDER BY ord) AS nth FROM (${typedInputSql(1)}) AS input
)
SELECT ord::int AS ord FROM r WHERE nth > 1
UNION
SELECT r.ord::int FROM r JOIN logs ON logs.service = r.s AND logs.timestamp = r.t AND ${STORED_LINE_KEY_SQL} = r.k`;

/**
 * Positions (0-based) of the records in `columns` that are already stored, or that repeat an
 * earlier record of the same batch. Only called when an insert found such records.
 */
export async function findStoredRecords(pool: pg.Pool, columns: readonly string[]): Promise<Set<number>> {
  const { rows } = await pool.query<{ ord: number }>(FIND_STORED, [...columns]);
  return new Set(rows.map((r) => r.ord - 1));
}
