import type { StoredLog } from '../domain/log-record.ts';

/**
 * The filter shared by `recentLogs` (SQL over raw logs) and the live `logStream` (a predicate
 * over records as they are stored), so both views select exactly the same records.
 */
export interface LogFilter {
  service?: string | null;
  route?: string | null;
  method?: string | null;
  status?: number | null;
  /** 2, 3, 4 or 5: any status of that class. */
  statusClass?: number | null;
  /** Case-insensitive substring of the raw path. */
  pathContains?: string | null;
  minLatencyMs?: number | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * Why a filter can only be a mistake (a status no HTTP response has, a class outside 2..5), or
 * null when it is fine. recentLogs and logStream refuse such a filter with BAD_USER_INPUT rather
 * than answer an empty list, or let PostgreSQL fail on a status outside smallint.
 */
export function logFilterProblem(f: LogFilter): string | null {
  if (f.status != null && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599))
    return 'filter.status: must be an HTTP status, 100 to 599';
  if (f.statusClass != null && !(Number.isInteger(f.statusClass) && f.statusClass >= 2 && f.statusClass <= 5)) {
    return 'filter.statusClass: must be 2, 3, 4 or 5';
  }
  return null;
}

export function matchesLogFilter(
  log: Pick<StoredLog, 'service' | 'route' | 'method' | 'status' | 'path' | 'latencyMs' | 'timestamp'>,
  f: LogFilter,
): boolean {
  if (f.service && log.service !== f.service) return false;
  if (f.route && log.route !== f.route) return false;
  if (f.method && log.method !== f.method.toUpperCase()) return false;
  if (f.status != null && log.status !== f.status) return false;
  if (f.statusClass != null && Math.floor(log.status / 100) !== f.statusClass) return false;
  if (f.pathContains && !log.path.toLowerCase().includes(f.pathContains.toLowerCase())) return false;
  if (f.minLatencyMs != null && log.latencyMs < f.minLatencyMs) return false;
  if (f.from && log.timestamp < f.from) return false;
  if (f.to && log.timestamp >= f.to) return false;
  return true;
}

/**
 * The same filter as a parameterised SQL condition over `logs` (never string-built from input):
 * returns the WHERE text using $offset+1… placeholders and the values to bind.
 */
export function logFilterSql(f: LogFilter, offset = 0): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    parts.push(sql(`$${offset + params.length}`));
  };
  if (f.service) add((p) => `service = ${p}`, f.service);
  if (f.route) add((p) => `route = ${p}`, f.route);
  if (f.method) add((p) => `method = ${p}`, f.method.toUpperCase());
  if (f.status != null) add((p) => `status = ${p}`, f.status);
  if (f.statusClass != null) add((p) => `status >= ${p} * 100 AND status < (${p} + 1) * 100`, f.statusClass);
  if (f.pathContains) add((p) => `strpos(lower(path), lower(${p})) > 0`, f.pathContains);
  if (f.minLatencyMs != null) add((p) => `latency_ms >= ${p}`, f.minLatencyMs);
  if (f.from) add((p) => `timestamp >= ${p}`, f.from);
  if (f.to) add((p) => `timestamp < ${p}`, f.to);
  return { where: parts.length ? parts.join(' AND ') : 'TRUE', params };
}
