import type pg from 'pg';
import { cleanText, type RoutedRecord, type StoredLog } from '../domain/log-record.ts';
import { ARRIVAL_LAG_SQL, oldestByService, RECORD_DUPLICATE_ARRIVAL, rejectedByService, zeroCounts } from './ingest-arrivals.ts';
import { findStoredRecords, isLineKeyViolation, STORED_SQL, typedInputSql } from './line-key.ts';
import { DIRTY_BUCKET_SECONDS } from './rollup-levels.ts';
import { BUCKET_ORIGIN_SQL } from './time-bucket.ts';
import { rollupMinuteAndHour, rollupParams, rollupUpsertSql } from './rollup-write.ts';

export interface Rejection {
  reason: string;
  raw: string;
  /** The service the rejected record named, if a valid one (pipeline bookkeeping). */
  service?: string;
}

export interface BatchInput {
  digest: string;
  service: string;
  bytes: number;
  records: RoutedRecord[];
  rejections: Rejection[];
}

export interface BatchResult {
  accepted: number;
  rejected: number;
  duplicate: boolean;
  /** Records skipped because an earlier batch already stored them (not in `accepted`). */
  duplicateRecords: number;
  stored: StoredLog[];
}

/** Parameters before each part of writeBatchSql: 6 for the claim, 12 columns of raw rows, 10 per rollup level, 2 dead-letter columns, 1 arrival column, the duplicate count, the oldest timestamps. */
const MINUTE_PARAMS = 18;
const HOUR_PARAMS = MINUTE_PARAMS + 10;
const DEAD_LETTER_PARAMS = HOUR_PARAMS + 10;
const ARRIVAL_PARAMS = DEAD_LETTER_PARAMS + 2;
const DUPLICATES_PARAM = ARRIVAL_PARAMS + 2;
const OLDEST_PARAM = DUPLICATES_PARAM + 1;
const CLAIMED = 'EXISTS (SELECT 1 FROM claim)';

/**
 * The whole batch as ONE statement (data-modifying CTEs), so it commits on its own inside
 * PostgreSQL: the row locks on hot rollup rows are held only while PostgreSQL works, never
 * across a round trip to a busy Node event loop (with concurrent batches, that wait made every
 * other batch queue behind the lock). Everything is conditional on claiming the digest; the
 * rollups run after the raw rows (they read `ins`), which keeps their locks short too.
 * INSERT ... SELECT FROM ROWS FROM (...) inserts (and returns) rows in input order.
 */
const writeBatchSql = (checkFirst: boolean) => `WITH input AS MATERIALIZED (
  ${typedInputSql(7)}
), seen AS (
  -- Records an earlier batch stored, or repeated within this one (line-key.ts). Any: the batch
  -- writes nothing and writeBatch drops them first (its rollup parameters count every record).
  -- Repeats within the batch are counted on one bigint per record (a DISTINCT over (s, t, k)
  -- rows cost a quarter of the statement); a false match only sends the batch the slow way.
  ${
    checkFirst
      ? `SELECT count(*) FILTER (WHERE ${STORED_SQL('input')})
    + count(*) - count(DISTINCT k # hashtextextended(s, 1) # (extract(epoch FROM t) * 1000)::bigint) AS n
  FROM input`
      : 'SELECT 0 AS n'
  }
), claim AS (
  INSERT INTO ingest_batches (digest, service, accepted, rejected, bytes, service_counts, duplicate_records)
  SELECT $1::text, $2::text, $3::int, $4::int, $5::int, $6::jsonb, $${DUPLICATES_PARAM}::int WHERE (SELECT n FROM seen) = 0
  ON CONFLICT (digest) DO NOTHING RETURNING received_at
), ins AS (
  -- No ON CONFLICT (it costs a speculative insertion per row): a record stored before (when
  -- \`seen\` did not look) or by a concurrent batch after it looked (a statement sees the
  -- database as it started) fails the whole statement on the unique index; writeBatch then
  -- drops such records and starts over.
  INSERT INTO logs (timestamp, service, method, path, route, status, latency_ms, user_agent, ip_address, request_id, bytes, extra, batch_id)
  SELECT t, s, m, p, rt, st, l, ua, ip, rq, b, x, $1
  FROM input
  WHERE ${CLAIMED}
  RETURNING id
), stored AS (
  SELECT string_agg(id::text, ',') AS ids, count(*) AS n FROM ins
), minute AS (
  ${rollupUpsertSql('rollup_minute', { firstParam: MINUTE_PARAMS + 1, onlyIf: `${CLAIMED} AND (SELECT n FROM stored) >= 0` })}
), hour AS (
  ${rollupUpsertSql('rollup_hour', { firstParam: HOUR_PARAMS + 1, onlyIf: `${CLAIMED} AND (SELECT n FROM stored) >= 0` })}
), dirty AS (
  -- The 5-minute buckets whose minute rollups this batch changed: their endpoint rollups are
  -- stale until compaction rebuilds them. DO UPDATE (not DO NOTHING) so the batch holds the
  -- mark's row lock until it commits: compaction removes a mark only after every batch that
  -- set it has committed (see rollup-compaction.ts).
  INSERT INTO rollup_dirty AS d (bucket)
  SELECT DISTINCT date_bin('${DIRTY_BUCKET_SECONDS} seconds'::interval, b, ${BUCKET_ORIGIN_SQL})
  FROM unnest($${MINUTE_PARAMS + 1}::timestamptz[]) AS t(b)
  WHERE ${CLAIMED} AND (SELECT n FROM stored) >= 0
  ORDER BY 1
  ON CONFLICT (bucket) DO UPDATE SET marked_at = EXCLUDED.marked_at
), dead AS (
  INSERT INTO dead_letters (service, reason, raw, batch_id)
  SELECT $2, reason, raw, $1 FROM unnest($${DEAD_LETTER_PARAMS + 1}::text[], $${DEAD_LETTER_PARAMS + 2}::text[]) AS t(reason, raw)
  WHERE ${CLAIMED}
), arrival AS (
  -- Pipeline bookkeeping by arrival (ingest-arrivals.ts); received_at is the claim's.
  INSERT INTO ingest_arrivals (received_at, digest, accepted_counts, rejected_counts, lag_ms)
  SELECT received_at, $1, $6::jsonb, $${ARRIVAL_PARAMS + 1}::jsonb, ${ARRIVAL_LAG_SQL(`$${OLDEST_PARAM}`)} FROM claim
)
SELECT (SELECT received_at FROM claim) AS claimed_at, (SELECT ids FROM stored) AS ids, (SELECT n FROM seen) AS seen`;
const WRITE_BATCH_CHECKED = writeBatchSql(true);
const WRITE_BATCH_OPTIMISTIC = writeBatchSql(false);

/**
 * Stores one ingest batch atomically (one statement, see writeBatchSql): the batch digest
 * (idempotency), the raw rows, the minute and hour rollups, the dirty marks of the endpoint
 * rollups and the dead letters. A body already stored (a retry after a lost response) is
 * recognised by its digest: nothing is written and the original counts come back with
 * `duplicate: true`. Two identical bodies in flight at once serialise on the digest's primary
 * key, so exactly one of them stores. Records already stored by another batch (the same line
 * sent again, see line-key.ts) are skipped and counted in `duplicateRecords`.
 */
export interface WriteOptions {
  /**
   * Look for records already stored before inserting (true), or let the unique index find them
   * (false: cheaper, about a tenth of the statement, but a batch with such a record fails once and
   * is written again). PGlite's socket server drops the connection after a failed statement, so
   * embedded mode checks first; it has a single connection, so there the check is also exact.
   */
  checkFirst?: boolean;
}

export async function writeBatch(pool: pg.Pool, batch: BatchInput, options: WriteOptions = {}): Promise<BatchResult> {
  const sql = options.checkFirst === false ? WRITE_BATCH_OPTIMISTIC : WRITE_BATCH_CHECKED;
  let records = batch.records;
  let duplicateRecords = 0;
  for (let attempt = 1; ; attempt++) {
    const columns = recordColumns(records);
    let result: BatchResult | 'seen';
    try {
      result = await writeOnce(pool, sql, batch, records, columns, duplicateRecords);
    } catch (error) {
      if (!isLineKeyViolation(error)) throw error;
      result = 'seen';
    }
    if (result !== 'seen') return result;
    // Rare (a shipper sending lines again), so the common batch stays one statement.
    if (attempt >= 5) throw new Error('records of this batch kept being stored by concurrent batches');
    // Empty when the conflicting batch rolled back meanwhile: then simply try again.
    const already = await findStoredRecords(pool, columns);
    records = records.filter((_, i) => !already.has(i));
    duplicateRecords += already.size;
  }
}

/**
 * The 12 record columns as JSON arrays: JSON.stringify is native and several times cheaper than
 * node-postgres' array literals, and PostgreSQL reads them as fast (epoch ms keep timestamps exact).
 */
function recordColumns(records: readonly RoutedRecord[]): string[] {
  return [
    JSON.stringify(records.map((r) => r.timestamp.getTime())),
    JSON.stringify(records.map((r) => r.service)),
    JSON.stringify(records.map((r) => r.method)),
    JSON.stringify(records.map((r) => r.path)),
    JSON.stringify(records.map((r) => r.route)),
    JSON.stringify(records.map((r) => r.status)),
    JSON.stringify(records.map((r) => r.latencyMs)),
    JSON.stringify(records.map((r) => r.userAgent)),
    JSON.stringify(records.map((r) => r.ipAddress)),
    JSON.stringify(records.map((r) => r.requestId)),
    JSON.stringify(records.map((r) => r.bytes)),
    JSON.stringify(records.map((r) => r.extra)),
  ];
}

async function writeOnce(
  pool: pg.Pool,
  sql: string,
  batch: BatchInput,
  records: RoutedRecord[],
  columns: readonly string[],
  duplicateRecords: number,
): Promise<BatchResult | 'seen'> {
  const rollups = rollupMinuteAndHour(records);
  const { rows } = await pool.query<{ claimed_at: Date | null; ids: string | null; seen: number }>(sql, [
    batch.digest,
    batch.service,
    records.length,
    batch.rejections.length,
    batch.bytes,
    JSON.stringify(countByService(records)),
    ...columns,
    ...rollupParams(rollups.minute),
    ...rollupParams(rollups.hour),
    // Reasons quote the input (JSON.parse messages included) and raw is the input: either
    // may hold NUL, which PostgreSQL text refuses.
    batch.rejections.map((r) => cleanText(r.reason)),
    batch.rejections.map((r) => cleanText(r.raw)),
    JSON.stringify(rejectedByService(batch)),
    duplicateRecords,
    JSON.stringify(oldestByService(records)),
  ]);
  const ingestedAt = rows[0]?.claimed_at;
  if (!ingestedAt && rows[0]?.seen) return 'seen';
  if (!ingestedAt) {
    const original = await pool.query<{ accepted: number; rejected: number }>(RECORD_DUPLICATE_ARRIVAL, [
      batch.digest,
      // The retried body's services, even when its records were all dropped as already stored.
      JSON.stringify(zeroCounts(countByService(batch.records))),
      JSON.stringify(zeroCounts(rejectedByService(batch))),
    ]);
    const row = original.rows[0];
    return { accepted: row?.accepted ?? 0, rejected: row?.rejected ?? 0, duplicate: true, duplicateRecords: 0, stored: [] };
  }
  // logs.ingested_at and ingest_batches.received_at are both the statement's CURRENT_TIMESTAMP.
  const ids = rows[0]?.ids?.split(',') ?? [];
  const stored: StoredLog[] = [];
  // The records are the handler's own objects, used for nothing else now: completing them in
  // place saves a copy per record.
  for (let i = 0; i < records.length && i < ids.length; i++) {
    const log = records[i] as StoredLog;
    log.id = ids[i]!;
    log.ingestedAt = ingestedAt;
    stored.push(log);
  }
  return { accepted: records.length, rejected: batch.rejections.length, duplicate: false, duplicateRecords, stored };
}

/**
 * Records per service. A null-prototype object: a service may be named `valueOf` or `__proto__`,
 * which on a plain object would read an inherited member (and corrupt the count).
 */
export function countByService(records: readonly { service: string }[]): Record<string, number> {
  const counts: Record<string, number> = Object.create(null);
  for (const r of records) counts[r.service] = (counts[r.service] ?? 0) + 1;
  return counts;
}

/** Keeps a body that could not be parsed at all, before answering 400 (Fluent Bit drops it). */
export async function storeUnparseableBody(
  pool: pg.Pool,
  input: { service: string; reason: string; body: Buffer; digest: string },
): Promise<void> {
  await pool.query(`INSERT INTO dead_letters (service, reason, raw, body, batch_id) VALUES ($1, $2, $3, $4, $5)`, [
    input.service,
    cleanText(input.reason),
    cleanText(input.body.subarray(0, 4096).toString('utf8')),
    input.body,
    input.digest,
  ]);
}
