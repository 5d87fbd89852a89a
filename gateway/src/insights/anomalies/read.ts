import type { AnomalyReportCache } from './report-cache.ts';
import type pg from 'pg';
import {
  detectAnomalies,
  finishAnomalies,
  latencyPoint,
  type AnomalyPoint,
  type AnomalySeries,
  type DetectedAnomaly,
  type DetectionSettings,
  type SeasonSpec,
} from './rules.ts';
import { readHistoryStart, readRollups, type AnalyticsFilter, type RollupDimension, type RollupMeasures } from '../../storage/rollup-read.ts';
import type { ResolvedRange } from '../../domain/time-range.ts';
import { endpointKey, type EndpointKey } from '../../domain/endpoint.ts';
import { keyValue } from '../../storage/histogram.ts';

/** How unusual a bucket must be: the robust z-score each level needs. */
export const SENSITIVITY_THRESHOLDS = { LOW: 7, MEDIUM: 5, HIGH: 3.5 } as const;
export type Sensitivity = keyof typeof SENSITIVITY_THRESHOLDS;

/** Anomaly detection looks at most this far at once (hourly buckets, a few thousand per series). */
export const MAX_ANOMALY_RANGE_DAYS = 31;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Endpoints watched besides the overall series, busiest first. */
const MAX_ENDPOINT_SERIES = 20;
/** Requests a bucket needs before its error rate or p95 counts. */
const MIN_REQUESTS = 20;
/**
 * A bucket is judged only once this long has passed since it ended, so records still on their
 * way through the shipper do not make the newest minute look like a traffic drop.
 */
const INGEST_GRACE_MS = 30_000;


interface BucketPlan {
  bucketMs: number;
  /** Trailing baseline length, in buckets, and how many of them must exist. */
  trailing: number;
  minTrailing: number;
}

/**
 * Trailing windows by bucket size: an hour of minutes, three hours of 5-minute buckets, six hours
 * of 15-minute buckets, or a full day of hours (a shorter one would call every morning's ramp-up
 * a spike).
 */
const PLANS: Record<number, BucketPlan> = {
  [MINUTE]: { bucketMs: MINUTE, trailing: 60, minTrailing: 30 },
  [5 * MINUTE]: { bucketMs: 5 * MINUTE, trailing: 36, minTrailing: 18 },
  [15 * MINUTE]: { bucketMs: 15 * MINUTE, trailing: 24, minTrailing: 12 },
  [HOUR]: { bucketMs: HOUR, trailing: 24, minTrailing: 24 },
};

/** Bucket size by range: minutes see a one-minute spike, hours keep a month cheap. */
export function planBuckets(rangeMs: number): BucketPlan {
  if (rangeMs <= 6 * HOUR) return PLANS[MINUTE]!;
  if (rangeMs <= DAY) return PLANS[5 * MINUTE]!;
  return PLANS[HOUR]!;
}

/** The bucket sizes a series may be pooled into, by the range's bucket size (finest first). */
const POOLED_BUCKETS: Record<number, readonly number[]> = {
  [MINUTE]: [MINUTE, 5 * MINUTE, 15 * MINUTE],
  [5 * MINUTE]: [5 * MINUTE, 15 * MINUTE, HOUR],
  [HOUR]: [HOUR],
};

/**
 * The minimum-evidence rule. A bucket's error rate or p95 is judged only with MIN_REQUESTS
 * requests in it, so a series that averages fewer per bucket of the range's size is analysed in
 * the finest coarser bucket that averages at least MIN_REQUESTS (a 6-requests-a-minute endpoint:
 * 5-minute buckets); failing that, in the coarsest allowed one if it averages at least half of
 * MIN_REQUESTS there (or the series was asked for by route and method); else it is not watched
 * (null). `perBucket` is the series' average requests per bucket of `bucketMs`.
 */
export function pooledBucket(perBucket: number, bucketMs: number, pinned = false): number | null {
  const sizes = POOLED_BUCKETS[bucketMs] ?? [bucketMs];
  for (const size of sizes) if ((perBucket * size) / bucketMs >= MIN_REQUESTS) return size;
  const coarsest = sizes[sizes.length - 1]!;
  return pinned || (perBucket * coarsest) / bucketMs >= MIN_REQUESTS / 2 ? coarsest : null;
}

/**
 * Seasonal baselines the stored history allows (Datadog's rule: at least 3 cycles): the same
 * hour of the week once 3 weeks exist, else the same hour of day once 3 days exist. The detector
 * still checks per bucket that 3 samples are really there.
 */
export function planSeasons(historyStartMs: number | null, endMs: number): SeasonSpec[] {
  if (historyStartMs === null) return [];
  const span = endMs - historyStartMs;
  const seasons: SeasonSpec[] = [];
  if (span >= 3 * WEEK) seasons.push({ periodMs: WEEK, cycles: 4, bucketMs: HOUR });
  if (span >= 3 * DAY) seasons.push({ periodMs: DAY, cycles: 7, bucketMs: HOUR });
  return seasons;
}

export interface AnomalyQuery {
  range: ResolvedRange;
  filter?: AnalyticsFilter;
  sensitivity?: Sensitivity;
  /** Current time (the gateway's clock; tests pin it); default Date.now(). */
  now?: number;
  /** Answers a repeat of the same question from a recent report (the gateway's cache). */
  cache?: AnomalyReportCache;
}

export interface AnomalyReport {
  /** The complete buckets analysed: the range aligned to buckets, minus the still-filling ones. */
  analysed: ResolvedRange | null;
  bucketSeconds: number;
  threshold: number;
  /** Series watched: the overall one plus the busiest endpoints. */
  seriesAnalysed: number;
  /** Longest seasonal cycle available: 'WEEKLY', 'DAILY' or 'NONE' (trailing baseline only). */
  seasonality: 'WEEKLY' | 'DAILY' | 'NONE';
  /** Oldest stored hour of traffic (the history the baselines can draw on). */
  historyStart: Date | null;
  anomalies: DetectedAnomaly[];
}


type Window = [from: number, to: number];

/** Sorted, with overlapping or touching windows joined. */
function mergeWindows(windows: Window[]): Window[] {
  const merged: Window[] = [];
  for (const [from, to] of [...windows].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/**
 * The whole hours a seasonal baseline looks at: the analysed span shifted back by each cycle.
 * Reading only these (a 6-hour range needs 7 × 6 hours, not the whole week) keeps the
 * seasonal history cheap.
 */
export function seasonalWindows(seasons: readonly SeasonSpec[], startMs: number, endMs: number): Window[] {
  const windows: Window[] = [];
  for (const s of seasons) {
    for (let j = 1; j <= s.cycles; j++) {
      windows.push([Math.floor((startMs - j * s.periodMs) / HOUR) * HOUR, Math.ceil((endMs - j * s.periodMs) / HOUR) * HOUR]);
    }
  }
  return mergeWindows(windows);
}

interface SeriesPoints {
  overall: Map<number, AnomalyPoint>;
  endpoints: Map<string, Map<number, AnomalyPoint>>;
}

/** A bucket's point, from the row's stored summary when it has one (the same figures), else its histogram. */
function pointOf(m: RollupMeasures): AnomalyPoint {
  const s = m.summary;
  if (!s || m.count <= 0) return latencyPoint(m.histogram, m.count, m.errors5xx, m.latencyMax);
  return { count: m.count, errors: m.errors5xx, p95: keyValue(s.p95, m.latencyMax), p95Lower: keyValue(s.p95Lower, m.latencyMax) };
}

/**
 * The overall series and the series of `endpoints` over `windows`, at `bucketMs`. The overall
 * one is merged in SQL (one row per bucket) rather than from every endpoint's rows here: the
 * endpoints not watched are never sent.
 */
async function readSeries(
  pool: pg.Pool,
  windows: readonly Window[],
  bucketMs: number,
  filter: AnalyticsFilter,
  endpoints: readonly EndpointKey[],
  withOverall: boolean,
): Promise<SeriesPoints> {
  const read = <D extends RollupDimension>(groupBy: D[], [from, to]: Window, only?: readonly EndpointKey[]) =>
    to > from
      ? readRollups(pool, {
          range: { from: new Date(from), to: new Date(to) },
          filter,
          endpoints: only,
          groupBy,
          bucketSeconds: bucketMs / 1000,
          summaries: true,
        })
      : Promise.resolve([]);
  const [overallRows, endpointRows] = await Promise.all([
    withOverall ? Promise.all(windows.map((w) => read(['bucket'], w))) : Promise.resolve([]),
    Promise.all(windows.map((w) => read(['bucket', 'service', 'method', 'route'], w, endpoints))),
  ]);
  const overall = new Map<number, AnomalyPoint>();
  for (const row of overallRows.flat()) overall.set(row.bucket.getTime(), pointOf(row));
  const perEndpoint = new Map<string, Map<number, AnomalyPoint>>();
  for (const row of endpointRows.flat()) {
    const key = endpointKey(row);
    let points = perEndpoint.get(key);
    if (!points) perEndpoint.set(key, (points = new Map()));
    points.set(row.bucket.getTime(), pointOf(row));
  }
  return { overall, endpoints: perEndpoint };
}

interface EndpointVolume extends EndpointKey {
  count: number;
}

/**
 * Requests per endpoint over [from, to) (the trailing window and the range together, so an
 * endpoint that just went silent is still watched). Counts only: no histogram is read.
 */
async function readEndpointVolumes(pool: pg.Pool, [from, to]: Window, filter: AnalyticsFilter): Promise<EndpointVolume[]> {
  const rows = await readRollups(pool, {
    range: { from: new Date(from), to: new Date(to) },
    filter,
    groupBy: ['service', 'method', 'route'],
    histograms: false,
  });
  return rows
    .map((r) => ({ service: r.service, method: r.method, route: r.route, count: r.count, key: endpointKey(r) }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
    .map(({ service, method, route, count }) => ({ service, method, route, count }));
}

/** Which series to analyse at which bucket size: the overall one and the watched endpoints. */
interface SeriesGroup {
  overall: boolean;
  endpoints: EndpointKey[];
}

/**
 * Groups the series by the bucket size the minimum-evidence rule gives each (pooledBucket): the
 * overall series (unless one endpoint is asked for) and the busiest MAX_ENDPOINT_SERIES endpoints
 * that qualify.
 */
export function groupSeries(volumes: readonly EndpointVolume[], fineBuckets: number, bucketMs: number, pinsEndpoint: boolean): Map<number, SeriesGroup> {
  const groups = new Map<number, SeriesGroup>();
  const group = (size: number): SeriesGroup => {
    let g = groups.get(size);
    if (!g) groups.set(size, (g = { overall: false, endpoints: [] }));
    return g;
  };
  if (!pinsEndpoint) {
    const total = volumes.reduce((a, v) => a + v.count, 0);
    group(pooledBucket(total / fineBuckets, bucketMs, true)!).overall = true;
  }
  let watched = 0;
  for (const v of volumes) {
    if (watched >= MAX_ENDPOINT_SERIES) break;
    const size = pooledBucket(v.count / fineBuckets, bucketMs, pinsEndpoint && v.count > 0);
    if (size === null) continue;
    group(size).endpoints.push({ service: v.service, method: v.method, route: v.route });
    watched++;
  }
  return groups;
}

function overallLabel(filter: AnalyticsFilter): string {
  const scope = [filter.method?.toUpperCase(), filter.route].filter(Boolean).join(' ');
  const base = filter.service ? `service ${filter.service}` : 'all traffic';
  return scope ? `${base} (${scope})` : base;
}

/**
 * Unusual traffic volume, 5xx rate and p95 latency over a range, overall and per busy endpoint:
 * reads the range's buckets plus the history the baselines need (the trailing window before
 * the range and, with enough stored history, the same hours in earlier days or weeks) from the
 * rollups, then lets the pure detector judge each complete bucket.
 */
export function getAnomalies(pool: pg.Pool, query: AnomalyQuery): Promise<AnomalyReport> {
  const filter = query.filter ?? {};
  const now = query.now ?? Date.now();
  const sensitivity = query.sensitivity ?? 'MEDIUM';
  const threshold = SENSITIVITY_THRESHOLDS[sensitivity];
  const plan = planBuckets(query.range.to.getTime() - query.range.from.getTime());
  const { bucketMs } = plan;
  const startMs = Math.floor(query.range.from.getTime() / bucketMs) * bucketMs;
  const endMs = Math.min(
    Math.floor(query.range.to.getTime() / bucketMs) * bucketMs,
    Math.floor((now - INGEST_GRACE_MS) / bucketMs) * bucketMs,
  );
  const key = JSON.stringify([
    bucketMs,
    startMs,
    endMs,
    filter.service ?? null,
    filter.route ?? null,
    filter.method?.toUpperCase() ?? null,
    sensitivity,
  ]);
  const run = () => analyse(pool, { filter, threshold, plan, startMs, endMs });
  return query.cache ? query.cache.get(key, run) : run();
}

async function analyse(
  pool: pg.Pool,
  {
    filter,
    threshold,
    plan,
    startMs,
    endMs,
  }: { filter: AnalyticsFilter; threshold: number; plan: BucketPlan; startMs: number; endMs: number },
): Promise<AnomalyReport> {
  const { bucketMs } = plan;
  const trailingStart = startMs - plan.trailing * bucketMs;
  const pinsEndpoint = Boolean(filter.method && filter.route);
  const [historyStart, volumes] = await Promise.all([
    readHistoryStart(pool, filter),
    endMs > startMs ? readEndpointVolumes(pool, [trailingStart, endMs], filter) : [],
  ]);
  const empty: AnomalyReport = {
    analysed: null,
    bucketSeconds: bucketMs / 1000,
    threshold,
    seriesAnalysed: 0,
    seasonality: 'NONE',
    historyStart: historyStart === null ? null : new Date(historyStart),
    anomalies: [],
  };
  if (!(endMs > startMs)) return empty;

  const seasons = planSeasons(historyStart, endMs);
  const groups = groupSeries(volumes, (endMs - trailingStart) / bucketMs, bucketMs, pinsEndpoint);
  const found = await Promise.all(
    [...groups].map(([size, group]) => analyseGroup(pool, { filter, threshold, plan: PLANS[size]!, seasons, startMs, endMs, group })),
  );
  let seriesAnalysed = 0;
  for (const g of groups.values()) seriesAnalysed += (g.overall ? 1 : 0) + g.endpoints.length;
  return {
    ...empty,
    analysed: { from: new Date(startMs), to: new Date(endMs) },
    seriesAnalysed,
    seasonality: seasons[0]?.periodMs === WEEK ? 'WEEKLY' : seasons.length > 0 ? 'DAILY' : 'NONE',
    anomalies: finishAnomalies(found.flat()),
  };
}

/** One bucket size's series: reads them (trailing window and seasonal hours) and runs the detector. */
async function analyseGroup(
  pool: pg.Pool,
  input: {
    filter: AnalyticsFilter;
    threshold: number;
    plan: BucketPlan;
    seasons: SeasonSpec[];
    startMs: number;
    endMs: number;
    group: SeriesGroup;
  },
): Promise<DetectedAnomaly[]> {
  const { filter, plan, seasons, group } = input;
  const { bucketMs } = plan;
  // Coarser buckets line up with the clock too; the range's last one must be complete.
  const startMs = Math.floor(input.startMs / bucketMs) * bucketMs;
  const endMs = Math.floor(input.endMs / bucketMs) * bucketMs;
  if (!(endMs > startMs)) return [];
  const trailingStart = startMs - plan.trailing * bucketMs;
  const windows = seasonalWindows(seasons, startMs, endMs);
  let fine: SeriesPoints;
  let coarse: SeriesPoints;
  if (bucketMs === HOUR) {
    // Hourly analysis: the trailing day and the seasonal hours come from one set of hourly reads.
    fine = coarse = await readSeries(pool, mergeWindows([...windows, [trailingStart, endMs]]), HOUR, filter, group.endpoints, group.overall);
  } else {
    [fine, coarse] = await Promise.all([
      readSeries(pool, [[trailingStart, endMs]], bucketMs, filter, group.endpoints, group.overall),
      readSeries(pool, windows, HOUR, filter, group.endpoints, group.overall),
    ]);
  }

  const series: AnomalySeries[] = [];
  if (group.overall) {
    series.push({
      service: filter.service ?? null,
      method: null,
      route: null,
      label: overallLabel(filter),
      points: fine.overall,
      seasonalPoints: coarse.overall,
    });
  }
  for (const e of group.endpoints) {
    const key = endpointKey(e);
    series.push({ ...e, points: fine.endpoints.get(key) ?? new Map(), seasonalPoints: coarse.endpoints.get(key) ?? new Map() });
  }

  const settings: DetectionSettings = {
    bucketMs,
    fromMs: startMs,
    toMs: endMs,
    trailingBuckets: plan.trailing,
    minTrailingSamples: plan.minTrailing,
    seasons,
    threshold: input.threshold,
    minRequests: MIN_REQUESTS,
    minBuckets: bucketMs < 5 * MINUTE ? { LATENCY: 2 } : {},
  };
  return detectAnomalies(series, settings);
}
