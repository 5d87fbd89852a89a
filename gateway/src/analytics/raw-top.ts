import type pg from 'pg';
import { logFilterSql, type LogFilter } from './log-filter.ts';

export type RawTopColumn = 'user_agent' | 'ip_address';

export interface RawTopValue {
  value: string;
  count: number;
  /** Of those, 4xx and 5xx answers. */
  errors: number;
}

/**
 * The commonest values of a raw-log column (user agent, client IP) among the records matching
 * `filter`, most frequent first (ties in code-point order), at most `limit`. Reads raw logs, so it
 * only sees what retention has kept.
 */
export async function topRawValues(pool: pg.Pool, column: RawTopColumn, filter: LogFilter, limit: number): Promise<RawTopValue[]> {
  const { where, params } = logFilterSql(filter);
  // `column` comes from the RawTopColumn union, never from a client.
  const { rows } = await pool.query<RawTopValue>(
    `SELECT ${column} AS value, count(*)::float8 AS count, count(*) FILTER (WHERE status >= 400)::float8 AS errors
     FROM logs WHERE ${where} AND ${column} IS NOT NULL
     GROUP BY 1 ORDER BY count(*) DESC, ${column} COLLATE "C" LIMIT $${params.length + 1}`,
    [...params, limit],
  );
  return rows;
}
