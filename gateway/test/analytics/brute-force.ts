import { expect } from 'vitest';
import type { GeneratedLog } from './dataset.ts';

/**
 * Brute-force versions of the analyses, computed straight from the generated records, to
 * compare with what the gateway answers from its rollups and raw logs.
 */

export interface Filter {
  service?: string;
  route?: string;
  method?: string;
}

export const inRange = (logs: readonly GeneratedLog[], range: { from: Date; to: Date }, f: Filter = {}): GeneratedLog[] =>
  logs.filter(
    (l) =>
      l.timestamp >= range.from &&
      l.timestamp < range.to &&
      (!f.service || l.service === f.service) &&
      (!f.route || l.route === f.route) &&
      (!f.method || l.method === f.method),
  );

const isError = (l: Pick<GeneratedLog, 'status'>) => l.status >= 400;

/** Exact percentile with the same rank convention as the gateway (percentile_disc). */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

export interface Latency {
  avg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function latency(logs: readonly GeneratedLog[]): Latency {
  if (logs.length === 0) return { avg: null, p50: null, p95: null, p99: null, max: null };
  const v = logs.map((l) => l.latencyMs).sort((a, b) => a - b);
  return {
    avg: v.reduce((a, b) => a + b, 0) / v.length,
    p50: percentile(v, 0.5),
    p95: percentile(v, 0.95),
    p99: percentile(v, 0.99),
    max: v.at(-1)!,
  };
}

export interface Stats {
  count: number;
  errors: number;
  clientErrors: number;
  serverErrors: number;
  errorRate: number;
  clientErrorRate: number;
  serverErrorRate: number;
  latency: Latency;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

export function stats(logs: readonly GeneratedLog[]): Stats {
  const errors = logs.filter(isError).length;
  const clientErrors = logs.filter((l) => l.status >= 400 && l.status < 500).length;
  const serverErrors = logs.filter((l) => l.status >= 500).length;
  return {
    count: logs.length,
    errors,
    clientErrors,
    serverErrors,
    errorRate: ratio(errors, logs.length),
    clientErrorRate: ratio(clientErrors, logs.length),
    serverErrorRate: ratio(serverErrors, logs.length),
    latency: latency(logs),
  };
}

export function groupBy<K>(logs: readonly GeneratedLog[], key: (l: GeneratedLog) => K): Map<K, GeneratedLog[]> {
  const out = new Map<K, GeneratedLog[]>();
  for (const l of logs) {
    const k = key(l);
    const list = out.get(k);
    if (list) list.push(l);
    else out.set(k, [l]);
  }
  return out;
}

export const endpointKey = (l: { service: string; method: string; route: string }) => `${l.service} ${l.method} ${l.route}`;

/** Hour of day and ISO weekday of an instant in an IANA zone. */
export function localParts(at: Date, tz: string): { hour: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', hourCycle: 'h23', weekday: 'short' }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.find((p) => p.type === 'weekday')?.value ?? '') + 1;
  return { hour, weekday };
}

/** Most frequent values, ties in code-point order (as the gateway breaks them). */
export function topValues<L extends Pick<GeneratedLog, 'status'>>(logs: readonly L[], value: (l: L) => string | null, limit: number) {
  const counts = new Map<string, { count: number; errors: number }>();
  for (const l of logs) {
    const v = value(l);
    if (v === null) continue;
    const c = counts.get(v) ?? { count: 0, errors: 0 };
    c.count++;
    if (isError(l)) c.errors++;
    counts.set(v, c);
  }
  return [...counts]
    .map(([v, c]) => ({ value: v, ...c }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, limit);
}

// ---- assertions -------------------------------------------------------------------------------

/** Histogram percentiles: within 5 % relative. avg: float-sum exact. max: exact. */
export function expectLatency(actual: Partial<Latency>, expected: Latency, where: string): void {
  for (const q of ['p50', 'p95', 'p99'] as const) {
    const e = expected[q];
    if (e === null) expect(actual[q], `${where} ${q}`).toBeNull();
    else expect(Math.abs((actual[q] ?? NaN) - e) / e, `${where} ${q}: got ${actual[q]}, exact ${e}`).toBeLessThanOrEqual(0.05);
  }
  if (expected.avg === null) expect(actual.avg, `${where} avg`).toBeNull();
  else expect(actual.avg, `${where} avg`).toBeCloseTo(expected.avg, 6);
  expect(actual.max, `${where} max`).toBe(expected.max);
}

/** Counts exact, rates exact (up to float rounding), latency as above. Accepts flat or nested latency. */
export function expectStats(actual: Record<string, unknown>, expected: Stats, where: string, countField = 'count'): void {
  expect(actual[countField], `${where} ${countField}`).toBe(expected.count);
  for (const k of ['errors', 'clientErrors', 'serverErrors'] as const) expect(actual[k], `${where} ${k}`).toBe(expected[k]);
  for (const k of ['errorRate', 'clientErrorRate', 'serverErrorRate'] as const)
    expect(actual[k], `${where} ${k}`).toBeCloseTo(expected[k], 12);
  expectLatency(actual as Partial<Latency>, expected.latency, where);
  if (actual.latency)
    expect(actual.latency, `${where} latency object matches the flat fields`).toEqual({
      avg: actual.avg,
      p50: actual.p50,
      p95: actual.p95,
      p99: actual.p99,
      max: actual.max,
    });
}
