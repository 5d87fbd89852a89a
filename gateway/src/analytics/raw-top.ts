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

/**
 * Top user agents and top client IPs together, in ONE scan of the matching raw logs (GROUPING
 * SETS), since on a busy range that scan is the expensive part.
 */
export async function topAgentsAndClients(
  pool: pg.Pool,
  filter: LogFilter,
  limit: number,
): Promise<{ userAgents: RawTopValue[]; clientIps: RawTopValue[] }> {
  const { where, params } = logFilterSql(filter);
  const { rows } = await pool.query<RawTopValue & { is_agent: boolean }>(
    `SELECT is_agent, value, count, errors FROM (
       SELECT GROUPING(user_agent) = 0 AS is_agent, coalesce(user_agent, ip_address) AS value,
              count(*)::float8 AS count, count(*) FILTER (WHERE status >= 400)::float8 AS errors,
              row_number() OVER (PARTITION BY GROUPING(user_agent) ORDER BY count(*) DESC, coalesce(user_agent, ip_address) COLLATE "C") AS rank
       FROM logs WHERE ${where}
       GROUP BY GROUPING SETS ((user_agent), (ip_address))
       HAVING coalesce(user_agent, ip_address) IS NOT NULL
     ) AS ranked WHERE rank <= $${params.length + 1} ORDER BY is_agent, rank`,
    [...params, limit],
  );
  const strip = ({ value, count, errors }: RawTopValue): RawTopValue => ({ value, count, errors });
  return { userAgents: rows.filter((r) => r.is_agent).map(strip), clientIps: rows.filter((r) => !r.is_agent).map(strip) };
}
