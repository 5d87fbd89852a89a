import type pg from 'pg';
import { withTransaction } from '../db.ts';
import { cleanText, type LogRecord } from './record.ts';
import { rollupBatch, rollupParams, rollupUpsertSql } from './rollup.ts';

export interface RoutedRecord extends LogRecord {
  route: string;
}

/** A record as stored: what the live stream publishes after the batch commits. */
export interface StoredLog extends RoutedRecord {
  id: string;
  ingestedAt: Date;
}

export interface Rejection {
  reason: string;
  raw: string;
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
  stored: StoredLog[];
}

const INSERT_LOGS = `INSERT INTO logs (timestamp, service, method, path, route, status, latency_ms, user_agent, ip_address, request_id, bytes, extra, batch_id)
SELECT t.*, $13 FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::smallint[], $7::float8[],
  $8::text[], $9::text[], $10::text[], $11::int[], $12::jsonb[]) AS t
RETURNING id, ingested_at`;

const INSERT_DEAD_LETTERS = `INSERT INTO dead_letters (service, reason, raw, batch_id)
SELECT $1, reason, raw, $4 FROM unnest($2::text[], $3::text[]) AS t(reason, raw)`;

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * Stores one ingest batch in ONE transaction: the batch digest (idempotency), the raw rows,
 * the minute and hour rollups and the dead letters. A body already stored (a retry after a lost
 * response) is recognised by its digest: nothing is written and the original counts come back
 * with `duplicate: true`. Two identical bodies in flight at once serialise on the digest's
 * primary key, so exactly one of them stores.
 */
export async function writeBatch(pool: pg.Pool, batch: BatchInput): Promise<BatchResult> {
  return withTransaction(pool, async (client) => {
    const claimed = await client.query(
      `INSERT INTO ingest_batches (digest, service, accepted, rejected, bytes, service_counts) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (digest) DO NOTHING RETURNING digest`,
      [batch.digest, batch.service, batch.records.length, batch.rejections.length, batch.bytes, JSON.stringify(countByService(batch.records))],
    );
    if (claimed.rowCount === 0) {
      const original = await client.query<{ accepted: number; rejected: number }>(
        'UPDATE ingest_batches SET duplicates = duplicates + 1 WHERE digest = $1 RETURNING accepted, rejected',
        [batch.digest],
      );
      const row = original.rows[0];
      return { accepted: row?.accepted ?? 0, rejected: row?.rejected ?? 0, duplicate: true, stored: [] };
    }

    const stored: StoredLog[] = [];
    const records = batch.records;
    if (records.length > 0) {
      const inserted = await client.query<{ id: string; ingested_at: Date }>(INSERT_LOGS, [
        records.map((r) => r.timestamp),
        records.map((r) => r.service),
        records.map((r) => r.method),
        records.map((r) => r.path),
        records.map((r) => r.route),
        records.map((r) => r.status),
        records.map((r) => r.latencyMs),
        records.map((r) => r.userAgent),
        records.map((r) => r.ipAddress),
        records.map((r) => r.requestId),
        records.map((r) => r.bytes),
        records.map((r) => (r.extra ? JSON.stringify(r.extra) : null)),
        batch.digest,
      ]);
      // INSERT ... SELECT FROM unnest inserts (and returns) rows in input order.
      inserted.rows.forEach((row, i) => {
        const record = records[i];
        if (record) stored.push({ ...record, id: String(row.id), ingestedAt: row.ingested_at });
      });
      await client.query(rollupUpsertSql('rollup_minute'), rollupParams(rollupBatch(records, MINUTE)));
      await client.query(rollupUpsertSql('rollup_hour'), rollupParams(rollupBatch(records, HOUR)));
    }
    if (batch.rejections.length > 0) {
      await client.query(INSERT_DEAD_LETTERS, [
        batch.service,
        // Reasons quote the input (JSON.parse messages included) and raw is the input: either
        // may hold NUL, which PostgreSQL text refuses.
        batch.rejections.map((r) => cleanText(r.reason)),
        batch.rejections.map((r) => cleanText(r.raw)),
        batch.digest,
      ]);
    }
    return { accepted: records.length, rejected: batch.rejections.length, duplicate: false, stored };
  });
}

function countByService(records: readonly RoutedRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.service] = (counts[r.service] ?? 0) + 1;
  return counts;
}

/** Keeps a body that could not be parsed at all, before answering 400 (Fluent Bit drops it). */
export async function storeUnparseableBody(
  pool: pg.Pool,
  input: { service: string; reason: string; body: Buffer; digest: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO dead_letters (service, reason, raw, body, batch_id) VALUES ($1, $2, $3, $4, $5)`,
    [input.service, cleanText(input.reason), cleanText(input.body.subarray(0, 4096).toString('utf8')), input.body, input.digest],
  );
}
