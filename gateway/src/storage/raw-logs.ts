import type pg from 'pg';
import type { StoredLog } from '../domain/log-record.ts';
import { logFilterSql, type LogFilter } from './log-filter.ts';

/** Columns of `logs` under the record's field names (the id as text: bigint exceeds a JS number). */
const LOG_COLUMNS = `id::text AS id, timestamp, service, method, path, route, status, latency_ms AS "latencyMs",
  user_agent AS "userAgent", ip_address AS "ipAddress", request_id AS "requestId", bytes, extra,
  ingested_at AS "ingestedAt"`;

/**
 * Raw log records matching `where` (with its params), newest first by (timestamp, id). The
 * ORDER BY names the table's columns: a bare `id` would mean the `id::text` output column, whose
 * text order (9 > 10) disagrees with the numeric keyset cursor and loses records on ties.
 */
export async function selectLogs(pool: pg.Pool, where: string, params: unknown[], limit: number): Promise<StoredLog[]> {
  const { rows } = await pool.query<StoredLog>(
    `SELECT ${LOG_COLUMNS} FROM logs WHERE ${where} ORDER BY logs.timestamp DESC, logs.id DESC LIMIT $${params.length + 1}`,
    [...params, limit],
  );
  return rows;
}

/** Position after a record in newest-first order. Opaque to clients. */
export interface LogCursor {
  timestamp: Date;
  id: bigint;
}

export class CursorError extends Error {}

export function encodeLogCursor(log: Pick<StoredLog, 'timestamp' | 'id'>): string {
  return Buffer.from(`log:${log.timestamp.getTime()}:${log.id}`, 'utf8').toString('base64url');
}

export function decodeLogCursor(cursor: string): LogCursor {
  const match = /^log:(\d{1,15}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new CursorError('`after` is not a cursor returned by recentLogs');
  return { timestamp: new Date(Number(match[1])), id: BigInt(match[2]!) };
}

export interface LogPage {
  logs: StoredLog[];
  hasNextPage: boolean;
}

/**
 * One page of raw logs matching `filter`, newest first by (timestamp desc, id desc), starting
 * after `after`. Keyset pagination on the (timestamp, id) index: every page costs the same
 * however deep it is, and records arriving meanwhile never shift a page.
 */
export async function getRecentLogs(
  pool: pg.Pool,
  input: { filter: LogFilter; first: number; after?: LogCursor | null },
): Promise<LogPage> {
  const { where, params } = logFilterSql(input.filter);
  const conditions = [where];
  if (input.after) {
    params.push(input.after.timestamp, input.after.id.toString());
    conditions.push(`(timestamp, id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
  }
  const logs = await selectLogs(pool, conditions.join(' AND '), params, input.first + 1);
  return { logs: logs.slice(0, input.first), hasNextPage: logs.length > input.first };
}
