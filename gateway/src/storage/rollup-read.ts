import type pg from 'pg';
import { keyValue, mergeHistograms, summarizeLatency, type LatencySummary, type SparseHistogram } from './histogram.ts';
import {
  ALL_LEVELS,
  DIRTY_BUCKET_SECONDS,
  ENDPOINT_LEVELS,
  isDerivedTable,
  SERVICE_LEVELS,
  SERVICE_STATUS_LEVELS,
  SUMMARY_KEY_COLUMNS,
  type RollupTable,
} from './rollup-levels.ts';
import { bucketSql, hasOffsetsMultipleOf, type BindParam, type TimeBucket } from './time-bucket.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import type { EndpointKey } from '../domain/endpoint.ts';

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
  /**
   * The group's stored latency summary (histogram keys), when the query asked for `summaries`
   * and the group is one summarised stored row; its histogram is then empty.
   */
  summary?: QuantileKeys | null;
}

/** Histogram keys of a row's p50, p95, p99 and of the lower end of p95's 99 % confidence interval. */
export interface QuantileKeys {
  p50: number;
  p95: number;
  p99: number;
  p95Lower: number;
}

/** One group of a rollup read: the requested dimensions plus the measures. */
export type RollupRow<D extends RollupDimension> = Pick<DimensionValues, D> & RollupMeasures;

export interface RollupQuery<D extends RollupDimension> {
  range: ResolvedRange;
  filter?: AnalyticsFilter;
  /** Only these endpoints (on top of `filter`); an empty list reads nothing. */
  endpoints?: readonly EndpointKey[];
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
  /**
   * Groups that are one stored endpoint-level row (a per-endpoint series at that level's bucket
   * size) come with their stored `summary` instead of a histogram. Groups merged from several
   * rows, and rows not summarised yet, still carry the merged histogram.
   */
  summaries?: boolean;
  /**
   * 'ingest' reads only the tables ingest writes (rollup_minute and rollup_hour), never the
   * derived endpoint levels: tests and bench/ compare the two paths. Default 'all'.
   */
  levels?: 'all' | 'ingest';
}

const MINUTE_MS = 60_000;
const DIRTY_MS = DIRTY_BUCKET_SECONDS * 1000;

const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/** A time slice of one rollup table: rows with bucket in [from, to). */
export interface RollupSlice {
  table: RollupTable;
  from: Date;
  to: Date;
}

/** A level a read may use: its table, bucket width, and whether it is derived (see rollup-levels.ts). */
export interface PlanLevel {
  table: RollupTable;
  seconds: number;
  /** Derived levels are used only for buckets without a dirty mark inside. */
  derived: boolean;
}

/** The whole minutes a range covers: [⌈from⌉, ⌈to⌉). Raw-log reads use it too, to agree with the rollups. */
export function effectiveRange(range: ResolvedRange): ResolvedRange {
  return { from: new Date(ceilTo(range.from.getTime(), MINUTE_MS)), to: new Date(ceilTo(range.to.getTime(), MINUTE_MS)) };
}

/**
 * The rollup slices that cover a range. Precision is one minute: a minute belongs to the range
 * when its START lies in [from, to), so the range is effectively [⌈from⌉, ⌈to⌉) in whole minutes
 * (with `last: "1h"` that keeps the current, still-filling minute and drops the partly elapsed
 * first one). Each level, coarsest first, takes the whole buckets it can of what is left (a
 * derived level only buckets holding no `dirty` 5-minute bucket, given as start times in ms);
 * rollup_minute covers the rest. Adjacent buckets of one level form one slice.
 */
export function planRollupRead(range: ResolvedRange, levels: readonly PlanLevel[], dirty: ReadonlySet<number> = new Set()): RollupSlice[] {
  const from = ceilTo(range.from.getTime(), MINUTE_MS);
  const to = ceilTo(range.to.getTime(), MINUTE_MS);
  if (!(to > from)) return [];
  const slices: RollupSlice[] = [];
  const isDirty = (start: number, end: number) => {
    if (dirty.size === 0) return false;
    for (let t = floorTo(start, DIRTY_MS); t < end; t += DIRTY_MS) if (dirty.has(t)) return true;
    return false;
  };
  let gaps: [number, number][] = [[from, to]];
  for (const level of levels) {
    const step = level.seconds * 1000;
    const left: [number, number][] = [];
    const keep = (a: number, b: number) => {
      const last = left[left.length - 1];
      if (last && last[1] === a) last[1] = b;
      else left.push([a, b]);
    };
    for (const [a, b] of gaps) {
      const first = ceilTo(a, step);
      const end = floorTo(b, step);
      if (end <= first) {
        keep(a, b);
        continue;
      }
      if (a < first) keep(a, first);
      let run: number | null = null;
      for (let t = first; t < end; t += step) {
        if (!level.derived || !isDirty(t, t + step)) {
          run ??= t;
          continue;
        }
        if (run !== null) slices.push({ table: level.table, from: new Date(run), to: new Date(t) });
        run = null;
        keep(t, t + step);
      }
      if (run !== null) slices.push({ table: level.table, from: new Date(run), to: new Date(end) });
      if (end < b) keep(end, b);
    }
    gaps = left;
  }
  for (const [a, b] of gaps) slices.push({ table: 'rollup_minute', from: new Date(a), to: new Date(b) });
  return slices;
}

/**
 * Whether buckets `seconds` wide can be assigned to every requested group: the bucket size is a
 * multiple of it and, when grouping in a time zone, the zone's offset is a multiple of it.
 */
function widthFits(query: RollupQuery<RollupDimension>, seconds: number): boolean {
  const dims = new Set<RollupDimension>(query.groupBy);
  if (dims.has('bucket') && (query.bucketSeconds ?? 0) % seconds !== 0) return false;
  const zoneMatters = dims.has('hourOfDay') || dims.has('weekday') || (dims.has('bucket') && query.tz);
  if (zoneMatters && query.tz && !hasOffsetsMultipleOf(Math.min(60, seconds / 60), query.tz, query.range.from, query.range.to))
    return false;
  return true;
}

/** Whether a query names no endpoint (no endpoint list, method or route filter or grouping): levels without them can answer it. */
function endpointFree(query: RollupQuery<RollupDimension>): boolean {
  const f = query.filter ?? {};
  return !query.endpoints && !f.route && !f.method && query.groupBy.every((d) => d !== 'method' && d !== 'route');
}

/** Whether a query needs nothing finer than the service: then the per-service levels answer it. */
function serviceGrained(query: RollupQuery<RollupDimension>): boolean {
  return endpointFree(query) && !query.groupBy.includes('status');
}

/** Whether a query needs no key at all (all traffic, grouped by time or not at all): the all-traffic levels answer it. */
function allGrained(query: RollupQuery<RollupDimension>): boolean {
  return (
    endpointFree(query) && !query.filter?.service && query.groupBy.every((d) => d === 'bucket' || d === 'hourOfDay' || d === 'weekday')
  );
}

/**
 * The levels a query may read, coarsest first. Status groupings need the status-keyed tables (the
 * per-service-and-status levels when nothing finer than the service is asked for); everything
 * else reads the all-traffic or service levels (when it needs nothing finer) or the endpoint
 * levels where they are clean, and rollup_hour for whole hours that are not (it is written by
 * ingest, so always current).
 */
function levelsFor(query: RollupQuery<RollupDimension>): PlanLevel[] {
  const hour: PlanLevel = { table: 'rollup_hour', seconds: 3600, derived: false };
  const byStatus = query.groupBy.includes('status');
  if (query.levels === 'ingest' || (byStatus && !endpointFree(query))) return widthFits(query, 3600) ? [hour] : [];
  const levels: PlanLevel[] = [];
  const candidates = byStatus
    ? SERVICE_STATUS_LEVELS
    : allGrained(query)
      ? ALL_LEVELS
      : serviceGrained(query)
        ? SERVICE_LEVELS
        : ENDPOINT_LEVELS;
  for (const level of candidates) {
    if (!widthFits(query, level.seconds)) continue;
    levels.push({ table: level.table, seconds: level.seconds, derived: true });
    if (level.seconds === 3600) levels.push(hour);
  }
  return levels;
}

/** Start times (ms) of the dirty 5-minute buckets in a range. */
async function readDirty(pool: pg.Pool, range: ResolvedRange): Promise<Set<number>> {
  const { rows } = await pool.query<{ bucket: Date }>('SELECT bucket FROM rollup_dirty WHERE bucket >= $1 AND bucket < $2', [
    new Date(floorTo(range.from.getTime(), DIRTY_MS)),
    new Date(ceilTo(range.to.getTime(), MINUTE_MS)),
  ]);
  return new Set(rows.map((r) => r.bucket.getTime()));
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
      // As epoch milliseconds: node-postgres parses a float8 many times faster than a timestamptz.
      return `(extract(epoch from ${bucketSql('bucket', time[dim](), param)}) * 1000)::float8`;
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

/**
 * The level whose rows are already the groups of this query, so they need no merging at all: an
 * endpoint level for a per-endpoint series at its bucket size, an all-traffic level for the
 * unfiltered overall series at its bucket size (in UTC).
 */
function directTable(query: RollupQuery<RollupDimension>): RollupTable | null {
  if (query.tz && query.tz !== 'UTC') return null;
  const dims = new Set(query.groupBy);
  const perEndpointSeries = dims.size === 4 && ['bucket', 'service', 'method', 'route'].every((d) => dims.has(d as RollupDimension));
  if (perEndpointSeries) return ENDPOINT_LEVELS.find((l) => l.seconds === query.bucketSeconds)?.table ?? null;
  if (dims.size === 1 && dims.has('bucket') && allGrained(query))
    return ALL_LEVELS.find((l) => l.seconds === query.bucketSeconds)?.table ?? null;
  return null;
}

/** Every slice as rows of (dimensions, count, e4, e5, latency_sum, latency_max[, histogram][, extra]), filtered. */
function sourceSql(
  query: RollupQuery<RollupDimension>,
  slices: readonly RollupSlice[],
  param: BindParam,
  extra: readonly string[] = [],
): string {
  const f = query.filter ?? {};
  const conditions: string[] = [];
  if (f.service) conditions.push(`service = ${param(f.service)}`);
  if (f.route) conditions.push(`route = ${param(f.route)}`);
  if (f.method) conditions.push(`method = ${param(f.method.toUpperCase())}`);
  if (query.endpoints) {
    const list = (k: keyof EndpointKey) => param(query.endpoints!.map((e) => e[k]));
    conditions.push(
      `(service, method, route) IN (SELECT * FROM unnest(${list('service')}::text[], ${list('method')}::text[], ${list('route')}::text[]))`,
    );
  }
  const where = conditions.map((c) => ` AND ${c}`).join('');
  const dims = query.groupBy.map((d) => `${dimensionSql(d, query, param)} AS ${col(d)}`);
  const hist = query.histograms === false ? [] : ['hist_keys', 'hist_counts'];
  const errors = {
    status: ['CASE WHEN status >= 400 AND status < 500 THEN count ELSE 0 END AS e4', 'CASE WHEN status >= 500 THEN count ELSE 0 END AS e5'],
    endpoint: ['errors_4xx AS e4', 'errors_5xx AS e5'],
  };
  return slices
    .map((s) => {
      const select = [
        ...dims,
        'count',
        ...errors[isDerivedTable(s.table) ? 'endpoint' : 'status'],
        'latency_sum',
        'latency_max',
        ...hist,
        ...extra,
      ];
      return `SELECT ${select.join(', ')} FROM ${s.table} WHERE bucket >= ${param(s.from)} AND bucket < ${param(s.to)}${where}`;
    })
    .join('\nUNION ALL\n');
}

function buildSql(query: RollupQuery<RollupDimension>, slices: readonly RollupSlice[]): BuiltQuery {
  const values: unknown[] = [];
  const param: BindParam = (value) => {
    values.push(value);
    return `$${values.length}`;
  };
  // A constant key keeps GROUP BY / USING valid when no dimension is requested.
  const keys = ['g', ...query.groupBy.map(col)];
  const keyList = keys.join(', ');
  if (query.mergeIn === 'ts') {
    return { text: `SELECT 1 AS g, * FROM (${sourceSql(query, slices, param)}) AS src`, values };
  }
  const direct = directTable(query);
  const directSlices = slices.filter((s) => s.table === direct);
  const merged = slices.filter((s) => s.table !== direct);
  const parts: string[] = [];
  // Summaries only where histograms were asked for: they stand in for them.
  const summaries = query.summaries === true && query.histograms !== false;
  if (directSlices.length > 0) {
    // A summarised row ships its keys and no histogram; one not summarised yet ships its histogram.
    const unsummarised = (column: string) => (summaries ? `CASE WHEN p95_lower_key IS NULL THEN ${column}::text END` : `${column}::text`);
    const hist =
      query.histograms === false ? '' : `, ${unsummarised('hist_keys')} AS hist_keys, ${unsummarised('hist_counts')} AS hist_counts`;
    const keys = summaries ? `, ${SUMMARY_KEY_COLUMNS.join(', ')}` : '';
    parts.push(`SELECT ${keyList}, count::float8 AS count, e4::float8 AS errors4xx, e5::float8 AS errors5xx,
  latency_sum::float8 AS latency_sum, latency_max::float8 AS latency_max${hist}${keys}
FROM (SELECT 1 AS g, * FROM (${sourceSql(query, directSlices, param, summaries ? SUMMARY_KEY_COLUMNS : [])}) AS s) AS src`);
  }
  if (merged.length > 0) {
    const noKeys = summaries ? `, ${SUMMARY_KEY_COLUMNS.map((c) => `NULL::smallint AS ${c}`).join(', ')}` : '';
    parts.push(`SELECT *${noKeys} FROM (${mergedSql(query, keyList, sourceSql(query, merged, param))}) AS merged`);
  }
  return { text: parts.join('\nUNION ALL\n'), values };
}

/** Groups slice rows, summing the measures and merging the histograms per group. */
function mergedSql(query: RollupQuery<RollupDimension>, keyList: string, source: string): string {
  const dimCols = query.groupBy.map(col);
  const measures = `sum(count)::float8 AS count, coalesce(sum(e4), 0)::float8 AS errors4xx, coalesce(sum(e5), 0)::float8 AS errors5xx,
      sum(latency_sum)::float8 AS latency_sum, max(latency_max)::float8 AS latency_max`;
  if (query.histograms === false) {
    return `SELECT ${keyList}, ${measures} FROM (SELECT 1 AS g, * FROM (${source}) AS s) AS src GROUP BY ${keyList}`;
  }
  // One pass: each slice row is expanded into its histogram entries (set-returning functions in
  // the select list run in lockstep, without the per-row tuplestore of a LATERAL unnest, which
  // made this 4-6x slower); the row's own measures are counted once, on its first entry. A row
  // without a histogram still yields one entry, with a NULL key. A CTE read twice (totals +
  // histogram) was ~3x slower: PostgreSQL materialises it with all the arrays.
  const keys = "CASE WHEN cardinality(hist_keys) > 0 THEN hist_keys ELSE '{NULL}'::smallint[] END";
  const counts = "CASE WHEN cardinality(hist_keys) > 0 THEN hist_counts ELSE '{NULL}'::int[] END";
  const once = 'o = 1';
  return `SELECT ${keyList},
  coalesce(sum(count), 0)::float8 AS count, coalesce(sum(e4), 0)::float8 AS errors4xx, coalesce(sum(e5), 0)::float8 AS errors5xx,
  coalesce(sum(latency_sum), 0)::float8 AS latency_sum, max(latency_max)::float8 AS latency_max,
  (array_agg(k ORDER BY k) FILTER (WHERE k IS NOT NULL))::text AS hist_keys,
  (array_agg(n ORDER BY k) FILTER (WHERE k IS NOT NULL))::text AS hist_counts
FROM (
  SELECT ${keyList}, k,
    sum(count) FILTER (WHERE ${once}) AS count,
    sum(e4) FILTER (WHERE ${once}) AS e4,
    sum(e5) FILTER (WHERE ${once}) AS e5,
    sum(latency_sum) FILTER (WHERE ${once}) AS latency_sum,
    max(latency_max) AS latency_max,
    sum(n) AS n
  FROM (
    SELECT 1 AS g, ${[...dimCols, 'count', 'e4', 'e5', 'latency_sum', 'latency_max'].join(', ')},
      unnest(${keys}) AS k, unnest(${counts}) AS n, generate_series(1, greatest(cardinality(hist_keys), 1)) AS o
    FROM (${source}) AS s
  ) AS src
  GROUP BY ${keyList}, k
) AS per_key
GROUP BY ${keyList}`;
}

interface SqlRow {
  [column: string]: unknown;
  count: number;
  /** 4xx and 5xx counts of a slice row (mergeIn: 'ts'). */
  e4?: number;
  e5?: number;
  errors4xx?: number;
  errors5xx?: number;
  latency_sum: number;
  latency_max: number;
  /** Arrays for mergeIn: 'ts' (raw slice rows); array text ('{3,17}') otherwise, see parseIntArray. */
  hist_keys?: number[] | string | null;
  hist_counts?: number[] | string | null;
  /** Stored summary keys (query.summaries); NULL for merged or unsummarised rows. */
  p50_key?: number | null;
  p95_key?: number | null;
  p99_key?: number | null;
  p95_lower_key?: number | null;
}

function summaryOf(row: SqlRow): QuantileKeys | null {
  const { p50_key: p50, p95_key: p95, p99_key: p99, p95_lower_key: p95Lower } = row;
  if (p50 == null || p95 == null || p99 == null || p95Lower == null) return null;
  return { p50, p95, p99, p95Lower };
}

/**
 * Parses PostgreSQL's text form of an integer array ('{3,17,40}'). Histograms come back as text
 * because node-postgres' generic array parser cost ~5x more than this loop: a per-endpoint
 * 5-minute series over 27 h holds ~1M histogram numbers at 10M requests a week.
 */
function parseIntArray(text: string | null | undefined): number[] {
  const out: number[] = [];
  if (!text || text.length <= 2) return out;
  let value = 0;
  let negative = false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else if (c === 45) negative = true;
    else {
      // ',' or the closing '}'
      out.push(negative ? -value : value);
      value = 0;
      negative = false;
    }
  }
  return out;
}

function dimensionsOf<D extends RollupDimension>(row: SqlRow, groupBy: readonly D[]): Pick<DimensionValues, D> {
  const out: Partial<Record<RollupDimension, unknown>> = {};
  for (const d of groupBy) out[d] = d === 'bucket' ? new Date(row.d_bucket as number) : row[`d_${d}`];
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
    g.m.errors4xx += row.e4 ?? 0;
    g.m.errors5xx += row.e5 ?? 0;
    g.m.latencySum += row.latency_sum;
    g.m.latencyMax = Math.max(g.m.latencyMax, row.latency_max);
    if (Array.isArray(row.hist_keys) && Array.isArray(row.hist_counts)) g.hists.push({ keys: row.hist_keys, counts: row.hist_counts });
  }
  return [...groups.values()].map((g) => ({ ...g.dims, ...g.m, histogram: mergeHistograms(g.hists) }) as RollupRow<D>);
}

/**
 * Reads the rollups for a range, grouped by any subset of dimensions, with counts, 4xx/5xx
 * counts, latency sum/max and the merged sparse latency histogram per group. Each part of the
 * range comes from the coarsest rollup that fits it (see `planRollupRead`, `levelsFor`): whole
 * hours from the hour levels, whole 15- and 5-minute buckets from the endpoint levels, the rest
 * from rollup_minute, so a 7-day read touches ~170 hour rows per endpoint, not ~10 000 minute
 * rows per endpoint and status. Every level holds the same figures (histograms merge exactly),
 * so the answer does not depend on the plan. Groups with no traffic are absent (callers fill
 * gaps), and row order is unspecified.
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
  if (query.endpoints?.length === 0) return [];
  const levels = levelsFor(q);
  const dirty = levels.some((l) => l.derived) ? await readDirty(pool, query.range) : undefined;
  const slices = planRollupRead(query.range, levels, dirty);
  if (slices.length === 0) return [];
  const { text, values } = buildSql(q, slices);
  const { rows } = await pool.query<SqlRow>(text, values);
  if (query.mergeIn === 'ts') return groupInTs(rows, groupBy);
  return rows.map((row) => ({
    ...dimensionsOf(row, groupBy),
    count: row.count,
    errors4xx: row.errors4xx ?? 0,
    errors5xx: row.errors5xx ?? 0,
    latencySum: row.latency_sum,
    latencyMax: row.latency_max,
    histogram: { keys: parseIntArray(row.hist_keys as string | null), counts: parseIntArray(row.hist_counts as string | null) },
    ...(query.summaries ? { summary: summaryOf(row) } : {}),
  })) as RollupRow<D>[];
}

/**
 * avg/p50/p95/p99/max of a rollup row (all null when it has no requests), from its stored summary
 * when it came with one (the same figures: the summary holds the keys `quantile` would find).
 */
export function latencyOf(m: RollupMeasures): LatencySummary {
  const s = m.summary;
  if (s && m.count > 0) {
    const max = m.latencyMax;
    return { avg: m.latencySum / m.count, p50: keyValue(s.p50, max), p95: keyValue(s.p95, max), p99: keyValue(s.p99, max), max };
  }
  return summarizeLatency(m.histogram, m.count, m.latencySum, m.count > 0 ? m.latencyMax : null);
}

/** Sums rollup rows (e.g. all endpoints of one bucket) into one set of measures. */
export function combineMeasures(rows: Iterable<RollupMeasures>): RollupMeasures {
  const out = { count: 0, errors4xx: 0, errors5xx: 0, latencySum: 0, latencyMax: 0 };
  const hists: SparseHistogram[] = [];
  for (const r of rows) {
    // A summarised row carries no histogram, and quantiles do not add up.
    if (r.summary) throw new Error('combineMeasures: a row read with its latency summary cannot be merged (read it without summaries)');
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

/**
 * The oldest stored hour of the traffic being analysed (the filter's service, route and method):
 * a service with one day of data has no daily baseline, whatever other services have.
 */
export async function readHistoryStart(pool: pg.Pool, filter: AnalyticsFilter): Promise<number | null> {
  const conditions: string[] = [];
  const params: string[] = [];
  for (const [column, value] of [
    ['service', filter.service],
    ['route', filter.route],
    ['method', filter.method?.toUpperCase()],
  ] as const) {
    if (value === null || value === undefined) continue;
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
  }
  // The leading primary-key column (bucket) makes this an index scan that stops at the first match.
  const { rows } = await pool.query<{ first: Date | null }>(
    `SELECT min(bucket) AS first FROM rollup_hour${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`,
    params,
  );
  return rows[0]?.first ? rows[0].first.getTime() : null;
}
