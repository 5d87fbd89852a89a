import type { LogFilter } from '../../gql/graphql.ts';

/** The explorer's filter fields, as they appear in the URL (f.* keys) and in the form. */
export const FILTER_KEYS = ['f.service', 'f.route', 'f.method', 'f.status', 'f.statusClass', 'f.path', 'f.minLatency', 'f.from', 'f.to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

function int(value: string | null, min: number, max: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

function instant(value: string | null): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * The recentLogs / logStream filter from the URL. The header's service applies unless the page
 * names its own; times default to the header's range (`rangeFrom`/`rangeTo`). Invalid values
 * are ignored rather than sent, so a hand-edited URL never breaks the page.
 */
export function parseLogFilter(params: URLSearchParams, defaults: { service?: string | null; from?: string; to?: string } = {}): LogFilter {
  const filter: LogFilter = {};
  const service = params.get('f.service')?.trim() || defaults.service;
  if (service) filter.service = service;
  const route = params.get('f.route')?.trim();
  if (route) filter.route = route;
  const method = params.get('f.method')?.trim().toUpperCase();
  if (method && /^[A-Z]{1,16}$/.test(method)) filter.method = method;
  const status = int(params.get('f.status'), 100, 599);
  if (status !== undefined) filter.status = status;
  const statusClass = int(params.get('f.statusClass'), 1, 5);
  if (statusClass !== undefined) filter.statusClass = statusClass;
  const path = params.get('f.path')?.trim();
  if (path) filter.pathContains = path;
  const minLatency = Number(params.get('f.minLatency'));
  if (params.get('f.minLatency') && Number.isFinite(minLatency) && minLatency >= 0) filter.minLatencyMs = minLatency;
  const from = instant(params.get('f.from')) ?? defaults.from;
  if (from) filter.from = from;
  const to = instant(params.get('f.to')) ?? defaults.to;
  if (to) filter.to = to;
  return filter;
}

/** Active filters as (key, label value) pairs for the chips above the results. */
export function activeFilters(params: URLSearchParams): { key: FilterKey; value: string }[] {
  return FILTER_KEYS.flatMap((key) => {
    const value = params.get(key);
    return value ? [{ key, value }] : [];
  });
}
