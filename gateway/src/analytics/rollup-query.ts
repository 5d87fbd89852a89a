import type pg from 'pg';
import { mergeHistograms, summarizeLatency, type LatencySummary, type SparseHistogram } from './histogram.ts';
import { bucketSql, hasWholeHourOffsets, type BindParam, type TimeBucket } from './time-bucket.ts';
import type { ResolvedRange } from './time-range.ts';

/** The top-level `service`, `route` and `method` arguments every analysis accepts. */
export interface AnalyticsFilter {
  service?: string | null;
  route?: string | null;
  method?: string | null;
}

/**
 * What a rollup read can group by. `bucket` needs `bucketSeconds`; `hourOfDay` (0..23) and
 * `weekday` (ISO 1 = Monday .. 7 = Sunday) are read in `tz`.
 */
export type RollupDimension = 'bucket' | 'service' | 'method' | 'route' | 'status' | 'hourOfDay' | 'weekday';

interface DimensionValues {
  bucket: Date;
  service: string;
  method: string;
  route: string;
  status: number;
  hourOfDay: number;
  weekday: number;
}

/** The measures of every rollup row: counts, exact latency sum/max and the merged histogram. */
export interface RollupMeasures {
  count: number;
  /** Requests answered 4xx. */
  errors4xx: number;
  /** Requests answered 5xx. */
  errors5xx: number;
  latencySum: number;
  latencyMax: number;
  histogram: SparseHistogram;
}

/** One group of a rollup read: the requested dimensions plus the measures. */
export type RollupRow<D extends RollupDimension> = Pick<DimensionValues, D> & RollupMeasures;

export interface RollupQuery<D extends RollupDimension> {
  range: ResolvedRange;
  filter?: AnalyticsFilter;
  groupBy: readonly D[];
  /** Size of `bucket` groups; required when grouping by bucket. */
  bucketSeconds?: number;
  /**
   * IANA zone for hourOfDay/weekday and, when set, for aligning `bucket` to local wall-clock
   * time (1d = local days). Default UTC.
   */
  tz?: string | null;
  /** False skips merging histograms (rows then carry an empty one): counts-only reads are cheaper. */
  histograms?: boolean;
  /** Where histograms are merged; both give identical results (kept switchable for bench/). */
  mergeIn?: 'sql' | 'ts';
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/**
 * The rollup slices that cover a range. Precision is one minute: a minute belongs to the range
 * when its START lies in [from, to), so the range is effectively [⌈from⌉, ⌈to⌉) in whole minutes
 * (with `last: "1h"` that keeps the current, still-filling minute and drops the partly elapsed
 * first one). Whole hours inside come from rollup_hour when `hours` is allowed; the partial
 * hours at both edges from rollup_minute.
 */
export interface RollupPlan {
  minutes: { from: Date; to: Date }[];
  hours: { from: Date; to: Date } | null;
}

/** The whole minutes a range covers: [⌈from⌉, ⌈to⌉). Raw-log reads use it too, to agree with the rollups. */
export function effectiveRange(range: ResolvedRange): ResolvedRange {
  return { from: new Date(ceilTo(range.from.getTime(), MINUTE_MS)), to: new Date(ceilTo(range.to.getTime(), MINUTE_MS)) };
}

export function planRollupRead(range: ResolvedRange, allowHours: boolean): RollupPlan {
  const from = ceilTo(range.from.getTime(), MINUTE_MS);
  const to = ceilTo(range.to.getTime(), MINUTE_MS);
  if (!(to > from)) return { minutes: [], hours: null };
  const hourFrom = ceilTo(from, HOUR_MS);
  const hourTo = floorTo(to, HOUR_MS);
  if (!allowHours || hourTo <= hourFrom) return { minutes: [{ from: new Date(from), to: new Date(to) }], hours: null };
  const minutes = [];
  if (from < hourFrom) minutes.push({ from: new Date(from), to: new Date(hourFrom) });
  if (hourTo < to) minutes.push({ from: new Date(hourTo), to: new Date(to) });
  return { minutes, hours: { from: new Date(hourFrom), to: new Date(hourTo) } };
}

/** Hour rollups are usable when every requested grouping is a union of whole UTC hours. */
function hoursAllowed(query: RollupQuery<RollupDimension>): boolean {
  const dims = new Set<RollupDimension>(query.groupBy);
  if (dims.has('bucket') && (query.bucketSeconds ?? 0) % 3600 !== 0) return false;
  const zoneMatters = dims.has('hourOfDay') || dims.has('weekday') || (dims.has('bucket') && query.tz);
  if (zoneMatters && query.tz && !hasWholeHourOffsets(query.tz, query.range.from, query.range.to)) return false;
  return true;
}

function dimensionSql(dim: RollupDimension, query: RollupQuery<RollupDimension>, param: BindParam): string {
  const tz = query.tz || 'UTC';
  const time: Record<'bucket' | 'hourOfDay' | 'weekday', () => TimeBucket> = {
    bucket: () => ({ kind: 'interval', seconds: query.bucketSeconds ?? 0, tz: query.tz }),
    hourOfDay: () => ({ kind: 'hourOfDay', tz }),
    weekday: () => ({ kind: 'weekday', tz }),
  };
  switch (dim) {
    case 'bucket':
    case 'hourOfDay':
    case 'weekday':
      return bucketSql('bucket', time[dim](), param);
    case 'service':
    case 'method':
    case 'route':
    case 'status':
      return dim;
  }
}

/** Output column names, quoted because hourOfDay is camel case. */
const col = (dim: RollupDimension) => `"d_${dim}"`;

interface BuiltQuery {
  text: string;
  values: unknown[];
}

/** The UNION ALL of hour and minute slices, filtered, with the grouping columns computed. */
function sourceSql(query: RollupQuery<RollupDimension>, plan: RollupPlan, param: BindParam): string {
  const f = query.filter ?? {};
  const conditions: string[] = [];
  if (f.service) conditions.push(`service = ${param(f.service)}`);
  if (f.route) conditions.push(`route = ${param(f.route)}`);
  if (f.method) conditions.push(`method = ${param(f.method.toUpperCase())}`);
  const where = conditions.map((c) => ` AND ${c}`).join('');
  const dims = query.groupBy.map((d) => `${dimensionSql(d, query, param)} AS ${col(d)}`);
  const hist = query.histograms === false ? [] : ['hist_keys', 'hist_counts'];
  const select = [...dims, 'status AS st', 'count', 'latency_sum', 'latency_max', ...hist].join(', ');
  const parts: string[] = [];
  if (plan.hours) {
    parts.push(`SELECT ${select} FROM rollup_hour WHERE bucket >= ${param(plan.hours.from)} AND bucket < ${param(plan.hours.to)}${where}`);
  }
  for (const m of plan.minutes) {
    parts.push(`SELECT ${select} FROM rollup_minute WHERE bucket >= ${param(m.from)} AND bucket < ${param(m.to)}${where}`);
  }
  return parts.join('\nUNION ALL\n');
}

function buildSql(query: RollupQuery<RollupDimension>, plan: RollupPlan): BuiltQuery {
  const values: unknown[] = [];
  const param: BindParam = (value) => {
    values.push(value);
    return `$${values.length}`;
  };
  const source = sourceSql(query, plan, param);
  // A constant key keeps GROUP BY / USING valid when no dimension is requested.
  const keys = ['g', ...query.groupBy.map(col)];
  const keyList = keys.join(', ');
  const measures = `sum(count)::float8 AS count,
      coalesce(sum(count) FILTER (WHERE st >= 400 AND st < 500), 0)::float8 AS errors4xx,
      coalesce(sum(count) FILTER (WHERE st >= 500), 0)::float8 AS errors5xx,
      sum(latency_sum)::float8 AS latency_sum, max(latency_max)::float8 AS latency_max`;
  if (query.mergeIn === 'ts') {
    return { text: `SELECT 1 AS g, * FROM (${source}) AS src`, values };
  }
  if (query.histograms === false) {
    return { text: `SELECT ${keyList}, ${measures} FROM (SELECT 1 AS g, * FROM (${source}) AS s) AS src GROUP BY ${keyList}`, values };
  }
  // One pass: each slice row is joined to its histogram entries; the row's own measures are
  // counted once (on its first entry, or its only row when it has no histogram). A CTE read
  // twice (totals + histogram) was ~3x slower: PostgreSQL materialises it with all the arrays.
  const once = 'u.o IS NULL OR u.o = 1';
  const text = `SELECT ${keyList},
  coalesce(sum(count), 0)::float8 AS count, coalesce(sum(e4), 0)::float8 AS errors4xx, coalesce(sum(e5), 0)::float8 AS errors5xx,
  coalesce(sum(latency_sum), 0)::float8 AS latency_sum, max(latency_max)::float8 AS latency_max,
  array_agg(k ORDER BY k) FILTER (WHERE k IS NOT NULL) AS hist_keys, array_agg(n ORDER BY k) FILTER (WHERE k IS NOT NULL) AS hist_counts
FROM (
  SELECT ${keyList}, u.k,
    sum(count) FILTER (WHERE ${once}) AS count,
    sum(count) FILTER (WHERE (${once}) AND st >= 400 AND st < 500) AS e4,
    sum(count) FILTER (WHERE (${once}) AND st >= 500) AS e5,
    sum(latency_sum) FILTER (WHERE ${once}) AS latency_sum,
    max(latency_max) AS latency_max,
    sum(u.n)::float8 AS n
  FROM (SELECT 1 AS g, * FROM (${source}) AS s) AS src
  LEFT JOIN LATERAL unnest(src.hist_keys, src.hist_counts) WITH ORDINALITY AS u(k, n, o) ON true
  GROUP BY ${keyList}, u.k
) AS per_key
GROUP BY ${keyList}`;
  return { text, values };
}

interface SqlRow {
  [column: string]: unknown;
  st: number;
  count: number;
  errors4xx?: number;
  errors5xx?: number;
  latency_sum: number;
  latency_max: number;
  hist_keys?: number[] | null;
  hist_counts?: number[] | null;
}

function dimensionsOf<D extends RollupDimension>(row: SqlRow, groupBy: readonly D[]): Pick<DimensionValues, D> {
  const out: Partial<Record<RollupDimension, unknown>> = {};
  for (const d of groupBy) out[d] = row[`d_${d}`];
  return out as Pick<DimensionValues, D>;
}

/** Groups raw slice rows in TS (the mergeIn: 'ts' strategy). */
function groupInTs<D extends RollupDimension>(rows: SqlRow[], groupBy: readonly D[]): RollupRow<D>[] {
  const groups = new Map<string, { dims: Pick<DimensionValues, D>; m: Omit<RollupMeasures, 'histogram'>; hists: SparseHistogram[] }>();
  for (const row of rows) {
    const key = groupBy
      .map((d) => {
        const v = row[`d_${d}`];
        return v instanceof Date ? v.getTime() : String(v);
      })
      .join('\u0001');
    let g = groups.get(key);
    if (!g) {
      g = { dims: dimensionsOf(row, groupBy), m: { count: 0, errors4xx: 0, errors5xx: 0, latencySum: 0, latencyMax: 0 }, hists: [] };
      groups.set(key, g);
    }
    g.m.count += row.count;
    if (row.st >= 400 && row.st < 500) g.m.errors4xx += row.count;
    if (row.st >= 500) g.m.errors5xx += row.count;
    g.m.latencySum += row.latency_sum;
    g.m.latencyMax = Math.max(g.m.latencyMax, row.latency_max);
    if (row.hist_keys && row.hist_counts) g.hists.push({ keys: row.hist_keys, counts: row.hist_counts });
  }
  return [...groups.values()].map((g) => ({ ...g.dims, ...g.m, histogram: mergeHistograms(g.hists) }) as RollupRow<D>);
}

/**
 * Reads the rollups for a range, grouped by any subset of dimensions, with counts, 4xx/5xx
 * counts, latency sum/max and the merged sparse latency histogram per group. Whole hours come
 * from rollup_hour and the partial edge hours from rollup_minute (minute-only when buckets are
 * shorter than an hour or the zone is not a whole number of hours from UTC), so a 7-day read
 * touches ~170 hour rows per series, not ~10 000 minute rows. Minute precision at the edges:
 * see `planRollupRead`. Groups with no traffic are absent (callers fill gaps), and row order is
 * unspecified.
 *
 * @example per-endpoint 5-minute series for anomaly detection
 *   readRollups(pool, { range, groupBy: ['bucket', 'service', 'method', 'route'], bucketSeconds: 300 })
 */
export async function readRollups<D extends RollupDimension>(pool: pg.Pool, query: RollupQuery<D>): Promise<RollupRow<D>[]> {
  const groupBy = [...new Set(query.groupBy)];
  const q = { ...query, groupBy } as RollupQuery<RollupDimension>;
  if (groupBy.includes('bucket' as D) && !(query.bucketSeconds && query.bucketSeconds >= 60 && query.bucketSeconds % 60 === 0)) {
    throw new RangeError('readRollups: grouping by bucket needs bucketSeconds, a positive multiple of 60');
  }
  const plan = planRollupRead(query.range, hoursAllowed(q));
  if (!plan.hours && plan.minutes.length === 0) return [];
  const { text, values } = buildSql(q, plan);
  const { rows } = await pool.query<SqlRow>(text, values);
  if (query.mergeIn === 'ts') return groupInTs(rows, groupBy);
  return rows.map((row) => ({
    ...dimensionsOf(row, groupBy),
    count: row.count,
    errors4xx: row.errors4xx ?? 0,
    errors5xx: row.errors5xx ?? 0,
    latencySum: row.latency_sum,
    latencyMax: row.latency_max,
    histogram: { keys: row.hist_keys ?? [], counts: row.hist_counts ?? [] },
  })) as RollupRow<D>[];
}

/** avg/p50/p95/p99/max of a rollup row (all null when it has no requests). */
export function latencyOf(m: RollupMeasures): LatencySummary {
  return summarizeLatency(m.histogram, m.count, m.latencySum, m.count > 0 ? m.latencyMax : null);
}

/** Sums rollup rows (e.g. all endpoints of one bucket) into one set of measures. */
export function combineMeasures(rows: Iterable<RollupMeasures>): RollupMeasures {
  const out = { count: 0, errors4xx: 0, errors5xx: 0, latencySum: 0, latencyMax: 0 };
  const hists: SparseHistogram[] = [];
  for (const r of rows) {
    out.count += r.count;
    out.errors4xx += r.errors4xx;
    out.errors5xx += r.errors5xx;
    out.latencySum += r.latencySum;
    out.latencyMax = Math.max(out.latencyMax, r.latencyMax);
    hists.push(r.histogram);
  }
  return { ...out, histogram: mergeHistograms(hists) };
}

export const EMPTY_MEASURES: Readonly<RollupMeasures> = Object.freeze({
  count: 0,
  errors4xx: 0,
  errors5xx: 0,
  latencySum: 0,
  latencyMax: 0,
  histogram: { keys: [], counts: [] },
});

/** Total requests of a set of rows. */
export const totalCount = (rows: Iterable<{ count: number }>): number => {
  let n = 0;
  for (const r of rows) n += r.count;
  return n;
};
