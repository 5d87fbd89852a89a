import { byUrgency, type Severity } from '../../domain/severity.ts';
import type { Evidence } from '../../domain/evidence.ts';
import { endpointLabel } from '../../domain/endpoint.ts';
import { p95LowerLevel, quantile, type SparseHistogram } from '../../storage/histogram.ts';
import { binomialUpperTail, MAD_TO_SIGMA, normalUpperTail, robustBaselineOf, wilsonLowerBound } from '../robust-stats.ts';

/**
 * Pure anomaly detection over bucketed request series (no I/O; anomalies.ts feeds it).
 *
 * Each analysed bucket is compared with a baseline that never contains the bucket itself:
 *   score = (x − median) / max(1.4826 · MAD, noise floor)
 * The noise floor stops a perfectly flat history (MAD = 0) from turning any wobble into an
 * "infinite" anomaly: Poisson noise √median for counts, binomial noise for rates, a relative
 * floor for latency. A bucket must also clear an effect size (e.g. at least 1.5× the usual
 * traffic) with the pessimistic end of its own 99 % confidence interval (Poisson for counts,
 * Wilson for rates, order statistics for p95), so a small bucket's luck and statistically
 * certain but harmless changes on busy series both stay quiet.
 *
 * Baselines: the trailing window (the previous N buckets) always; a seasonal one (the same hour
 * of day or of week in earlier cycles) once at least 3 cycles of history exist. When both exist
 * a bucket must be unusual against BOTH: the seasonal baseline knows that 9 am is busy, the
 * trailing one knows that today is a Saturday, and each vetoes the other's false alarms.
 */

export type AnomalyKind = 'TRAFFIC_SPIKE' | 'TRAFFIC_DROP' | 'ERROR_RATE' | 'LATENCY';
export type BaselineKind = 'TRAILING' | 'SEASONAL';
export type Direction = 'UP' | 'DOWN';
export type AnomalyUnit = 'requests' | 'ratio' | 'ms';

/** What one bucket of one series holds. `errors` are 5xx responses; latencies in ms (null: no requests). */
export interface AnomalyPoint {
  count: number;
  errors: number;
  p95: number | null;
  /** Lower end of the 99 % confidence interval of p95 (see latencyPoint). */
  p95Lower: number | null;
}

/** Two-sided 99 % normal quantile, used for every confidence bound here. */
const Z99 = 2.576;

/**
 * p95 of a bucket and the lower end of its distribution-free confidence interval: the rank
 * n·q − z·√(n·q·(1−q)) of the same histogram. With 30 requests that is about the 85th
 * percentile, so one slow request cannot make a small bucket look like a latency incident; and
 * when a few percent of traffic is a slow endpoint, the overall p95 sitting on the edge of the
 * slow cluster does not flip into an alarm.
 */
export function latencyPoint(h: SparseHistogram, count: number, errors: number, max?: number): AnomalyPoint {
  if (count <= 0) return { count: 0, errors: 0, p95: null, p95Lower: null };
  return { count, errors, p95: quantile(h, 0.95, max), p95Lower: quantile(h, p95LowerLevel(count), max) };
}

/** A series to watch: overall (method/route null) or one endpoint. */
export interface AnomalySeries {
  service: string | null;
  method: string | null;
  route: string | null;
  /** How explanations name the series; default "GET /api/x (service)" or "all traffic". */
  label?: string;
  /**
   * Points at the analysis bucket size keyed by bucket start (epoch ms): the analysed buckets and
   * the trailing history before them. A missing bucket after the series' first point means no
   * requests; before it, unknown (the series did not exist yet or was not read).
   */
  points: ReadonlyMap<number, AnomalyPoint>;
  /** Points at the seasonal bucket size (hourly) for the seasonal baseline; may be empty. */
  seasonalPoints: ReadonlyMap<number, AnomalyPoint>;
}

export interface SeasonSpec {
  /** One cycle: a day or a week. */
  periodMs: number;
  /** How many earlier cycles to sample. */
  cycles: number;
  /** Bucket size of `seasonalPoints` (≥ the analysis bucket). */
  bucketMs: number;
}

export interface DetectionSettings {
  bucketMs: number;
  /** First analysed bucket start (aligned to bucketMs). */
  fromMs: number;
  /** Analysed buckets end at or before this. */
  toMs: number;
  /** Trailing baseline length in buckets. */
  trailingBuckets: number;
  /** Fewer trailing samples than this: the bucket is not judged by the trailing baseline. */
  minTrailingSamples: number;
  /** Seasonal baselines in order of preference (weekly, then daily); the first with 3 samples wins. */
  seasons: readonly SeasonSpec[];
  /** Robust z-score a bucket must reach (3.5 is Iglewicz & Hoaglin's outlier cut-off). */
  threshold: number;
  /** A rate or a percentile needs at least this many requests in the bucket to count. */
  minRequests: number;
  /**
   * Shortest window worth reporting, per kind (default 1 bucket). One minute's p95 can flip when a
   * handful of requests to a slow endpoint happen to coincide, so minute-level latency wants 2.
   */
  minBuckets?: Partial<Record<AnomalyKind, number>>;
}

/** Effect sizes a bucket must clear on top of the score; fixed, sensitivity only moves the score. */
const EFFECT = {
  spikeRatio: 1.5,
  dropRatio: 0.5,
  /** Error rate must rise by at least this much (2 percentage points)... */
  minRateIncrease: 0.02,
  /** ...and the lower end of its 99 % Wilson interval by at least this much. */
  minConfidentRateIncrease: 0.01,
  latencyRatio: 1.5,
  minLatencyIncreaseMs: 25,
  /** Spread floor of p95 as a share of its median: histogram error plus ordinary jitter. */
  latencyRelativeFloor: 0.1,
  /** The usual error rate is taken as at least this for the exact tail test (0 % would make any error impossible). */
  minUsualErrorRate: 0.001,
  /** Spread floor of an error rate when the baseline is near 0 % or 100 %. */
  rateFloor: 0.005,
  /** Samples a seasonal baseline needs (Datadog's rule of thumb: 3 seasons). */
  minSeasonalSamples: 3,
  /** A bucket feeds a latency baseline only with this many requests. */
  minLatencyBaselineRequests: 5,
} as const;

export interface DetectedAnomaly {
  kind: AnomalyKind;
  service: string | null;
  method: string | null;
  route: string | null;
  start: Date;
  end: Date;
  /** Buckets in the window. */
  buckets: number;
  /** Size of those buckets: the analysis's, or coarser for a low-volume series (minimum-evidence rule). */
  bucketSeconds: number;
  /** Value of the most unusual bucket (the peak), in `unit`. */
  observed: number;
  /** Baseline median for the peak bucket. */
  baseline: number;
  /** Spread used for the score: max(1.4826 · MAD, noise floor), in `unit`. */
  spread: number;
  /** Robust z-score of the peak bucket against the reported baseline. */
  score: number;
  direction: Direction;
  severity: Severity;
  baselineKind: BaselineKind;
  baselineSamples: number;
  /** The baseline in words, e.g. "median of the previous 60 minutes". */
  baselineDescription: string;
  unit: AnomalyUnit;
  /** Requests and 5xx responses over the whole window. */
  requests: number;
  errors: number;
  peakAt: Date;
  explanation: string;
  /** The figures behind the finding, for people and for the AI analyst. */
  evidence: Evidence[];
}

const ZERO: AnomalyPoint = { count: 0, errors: 0, p95: null, p95Lower: null };

type Family = 'traffic' | 'errors' | 'latency';
const FAMILIES: readonly Family[] = ['traffic', 'errors', 'latency'];

interface Judgement {
  kind: AnomalyKind;
  direction: Direction;
  value: number;
  median: number;
  spread: number;
  score: number;
  samples: number;
  /** The season the baseline came from; null for the trailing window. */
  season: SeasonSpec | null;
}

/** How one family reads a value from a point and judges it against a baseline. */
interface Metric {
  unit: AnomalyUnit;
  value(p: AnomalyPoint): number | null;
  /** The usual value; the median of the baseline's values unless the metric knows better. */
  usual?(median: number, baseline: Samples): number;
  /** Whether a bucket has enough requests to be judged at all. */
  judgeable(p: AnomalyPoint, settings: DetectionSettings): boolean;
  floor(median: number, p: AnomalyPoint): number;
  /**
   * The verdict for a bucket. `relaxed` is the bar for keeping an open window open: half the
   * score and the effect size on the point estimate, without the confidence bounds (hysteresis,
   * so one noisier minute inside an incident does not split it in two).
   */
  decide(
    p: AnomalyPoint,
    value: number,
    median: number,
    score: number,
    settings: DetectionSettings,
    relaxed: boolean,
  ): { kind: AnomalyKind; direction: Direction } | null;
}

const METRICS: Record<Family, Metric> = {
  traffic: {
    unit: 'requests',
    value: (p) => p.count,
    judgeable: () => true,
    floor: (median) => Math.sqrt(Math.max(median, 1)),
    decide(p, value, median, score, { threshold, minRequests }, relaxed) {
      if (relaxed) {
        if (score >= threshold / 2 && value >= EFFECT.spikeRatio * median) return { kind: 'TRAFFIC_SPIKE', direction: 'UP' };
        if (score <= -threshold / 2 && value <= EFFECT.dropRatio * median) return { kind: 'TRAFFIC_DROP', direction: 'DOWN' };
        return null;
      }
      // Poisson confidence bounds of the count itself must clear the effect size too.
      const noise = Z99 * Math.sqrt(Math.max(value, 1));
      // A spike needs some volume: 5 requests where there are usually 0 is not news.
      if (score >= threshold && value - noise >= EFFECT.spikeRatio * median && p.count >= minRequests) {
        return { kind: 'TRAFFIC_SPIKE', direction: 'UP' };
      }
      if (score <= -threshold && value + noise <= EFFECT.dropRatio * median) return { kind: 'TRAFFIC_DROP', direction: 'DOWN' };
      return null;
    },
  },
  errors: {
    unit: 'ratio',
    value: (p) => (p.count > 0 ? p.errors / p.count : null),
    usual(median, baseline) {
      // Rare errors (0.5 %) make most buckets 0 %, so the median of rates says "never fails".
      // The pooled rate of the baseline keeps the usual rate honest. (Trimming the worst buckets
      // first would bias it low: with rare errors those are simply the buckets that had any.)
      const pooled = baseline.requests > 0 ? baseline.errors / baseline.requests : 0;
      return Math.max(median, pooled);
    },
    judgeable: (p, s) => p.count >= s.minRequests,
    floor(usual, p) {
      // Binomial noise at the usual rate, taking the usual rate as at least 1 %.
      const q = Math.min(0.99, Math.max(0.01, usual));
      return Math.max(EFFECT.rateFloor, Math.sqrt((q * (1 - q)) / Math.max(p.count, 1)));
    },
    decide(p, value, usual, score, { threshold }, relaxed) {
      if (relaxed)
        return score >= threshold / 2 && value - usual >= EFFECT.minRateIncrease ? { kind: 'ERROR_RATE', direction: 'UP' } : null;
      if (score < threshold || value - usual < EFFECT.minRateIncrease) return null;
      // Few requests make wide intervals: the rate must be clearly above normal even at its lower bound.
      if (wilsonLowerBound(p.errors, p.count) - usual < EFFECT.minConfidentRateIncrease) return null;
      // And as unlikely under the usual rate as the threshold says, by the exact binomial tail
      // rather than the normal approximation (which flatters small counts of rare errors).
      if (binomialUpperTail(p.errors, p.count, Math.max(usual, EFFECT.minUsualErrorRate)) > normalUpperTail(threshold)) return null;
      return { kind: 'ERROR_RATE', direction: 'UP' };
    },
  },
  latency: {
    unit: 'ms',
    value: (p) => p.p95,
    judgeable: (p, s) => p.count >= s.minRequests && p.p95 !== null,
    floor: (median) => Math.max(EFFECT.latencyRelativeFloor * median, 1),
    decide(p, _value, median, score, { threshold }, relaxed) {
      // Judge the pessimistic p95 for the effect size (the point estimate only sets the score),
      // even to keep a window open: otherwise the overall p95 of a mix with a few percent slow
      // requests, which can flip between its clusters, would drag windows on.
      const lower = p.p95Lower ?? 0;
      if (
        score >= (relaxed ? threshold / 2 : threshold) &&
        lower >= EFFECT.latencyRatio * median &&
        lower - median >= EFFECT.minLatencyIncreaseMs
      ) {
        return { kind: 'LATENCY', direction: 'UP' };
      }
      return null;
    },
  },
};

function baselineEligible(family: Family, p: AnomalyPoint): boolean {
  if (family === 'errors') return p.count > 0;
  if (family === 'latency') return p.p95 !== null && p.count >= EFFECT.minLatencyBaselineRequests;
  return true;
}

/**
 * A baseline's values plus the requests and errors behind them, in preallocated typed arrays:
 * the detector judges every bucket of every series three times, so allocation-free median/MAD
 * (native numeric sort) keeps a day of 5-minute buckets for 20 endpoints in milliseconds.
 */
class Samples {
  readonly values: Float64Array;
  private readonly scratch: Float64Array;
  n = 0;
  requests = 0;
  errors = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  reset(): void {
    this.n = 0;
    this.requests = 0;
    this.errors = 0;
  }

  push(value: number, requests: number, errors: number): void {
    this.values[this.n++] = value;
    this.requests += requests;
    this.errors += errors;
  }

  baseline(): { median: number; mad: number } | null {
    return robustBaselineOf(this.values, this.n, this.scratch);
  }
}

function judge(metric: Metric, p: AnomalyPoint, baseline: Samples, settings: DetectionSettings, relaxed: boolean): Judgement | null {
  const value = metric.value(p);
  const base = baseline.baseline();
  if (value === null || !base) return null;
  const usual = metric.usual ? metric.usual(base.median, baseline) : base.median;
  const spread = Math.max(MAD_TO_SIGMA * base.mad, metric.floor(usual, p));
  const score = (value - usual) / spread;
  const verdict = metric.decide(p, value, usual, score, settings, relaxed);
  if (!verdict) return null;
  return { ...verdict, value, median: usual, spread, score, samples: baseline.n, season: null };
}

function firstKey(map: ReadonlyMap<number, AnomalyPoint>): number | null {
  let first: number | null = null;
  for (const key of map.keys()) if (first === null || key < first) first = key;
  return first;
}

/** Points of a series as an array indexed by bucket from `startMs` (undefined: no requests). */
function densePoints(series: AnomalySeries, startMs: number, endMs: number, bucketMs: number): (AnomalyPoint | undefined)[] {
  const dense = new Array<AnomalyPoint | undefined>(Math.max(0, Math.ceil((endMs - startMs) / bucketMs)));
  for (const [t, p] of series.points) {
    const i = (t - startMs) / bucketMs;
    if (Number.isInteger(i) && i >= 0 && i < dense.length) dense[i] = p;
  }
  return dense;
}

function trailingSamples(
  family: Family,
  dense: readonly (AnomalyPoint | undefined)[],
  index: number,
  trailing: number,
  out: Samples,
): void {
  out.reset();
  const metric = METRICS[family];
  for (let k = 1; k <= trailing && index - k >= 0; k++) {
    const p = dense[index - k] ?? ZERO;
    if (!baselineEligible(family, p)) continue;
    out.push(metric.value(p) ?? 0, p.count, p.errors);
  }
}

/**
 * The same moment in earlier cycles, read from coarser (hourly) buckets. Counts are scaled to
 * the analysis bucket (an hour of 6 000 requests is "100 per minute"); rates and p95 carry over.
 */
function seasonalSamples(
  family: Family,
  series: AnomalySeries,
  t: number,
  firstSeen: number | null,
  season: SeasonSpec,
  settings: DetectionSettings,
  out: Samples,
): void {
  out.reset();
  if (firstSeen === null) return;
  const metric = METRICS[family];
  const scale = settings.bucketMs / season.bucketMs;
  for (let j = 1; j <= season.cycles; j++) {
    const at = Math.floor((t - j * season.periodMs) / season.bucketMs) * season.bucketMs;
    if (at < firstSeen) continue;
    const p = series.seasonalPoints.get(at) ?? ZERO;
    if (!baselineEligible(family, p)) continue;
    const scaled = scale === 1 ? p : { ...p, count: p.count * scale, errors: p.errors * scale };
    out.push(metric.value(scaled) ?? 0, scaled.count, scaled.errors);
  }
}

interface OpenWindow {
  family: Family;
  start: number;
  end: number;
  buckets: number;
  /** Buckets that met the full bar (the rest only kept the window open). */
  strictBuckets: number;
  requests: number;
  errors: number;
  peak: Judgement;
  peakAt: number;
  /** Too-small buckets since the last unusual one: bridged if the window goes on, dropped if not. */
  gap: { buckets: number; requests: number; errors: number };
}

/** Too-small buckets in a row that an open window bridges (absence of evidence is not the end). */
const MAX_GAP_BUCKETS = 2;

function newWindow(family: Family, t: number, p: AnomalyPoint, verdict: Judgement, bucketMs: number): OpenWindow {
  return {
    family,
    start: t,
    end: t + bucketMs,
    buckets: 1,
    strictBuckets: 1,
    requests: p.count,
    errors: p.errors,
    peak: verdict,
    peakAt: t,
    gap: { buckets: 0, requests: 0, errors: 0 },
  };
}

function extendWindow(w: OpenWindow, t: number, p: AnomalyPoint, verdict: Judgement, strict: boolean, bucketMs: number): void {
  w.buckets += w.gap.buckets + 1;
  w.requests += w.gap.requests + p.count;
  w.errors += w.gap.errors + p.errors;
  w.gap = { buckets: 0, requests: 0, errors: 0 };
  w.end = t + bucketMs;
  if (strict) w.strictBuckets++;
  if (Math.abs(verdict.score) > Math.abs(w.peak.score)) {
    w.peak = verdict;
    w.peakAt = t;
  }
}

/** Finds anomaly windows in every series. Deterministic; cost ~ series × buckets × window. */
export function detectAnomalies(allSeries: readonly AnomalySeries[], settings: DetectionSettings): DetectedAnomaly[] {
  const found: DetectedAnomaly[] = [];
  const trailing = new Samples(settings.trailingBuckets);
  const seasonal = new Samples(Math.max(0, ...settings.seasons.map((s) => s.cycles)));
  for (const series of allSeries) {
    const firstSeen = firstKey(series.points);
    if (firstSeen === null) continue;
    const seasonalFirst = firstKey(series.seasonalPoints);
    const dense = densePoints(series, firstSeen, settings.toMs, settings.bucketMs);
    const open = new Map<Family, OpenWindow>();
    const close = (family: Family): void => {
      const w = open.get(family);
      if (!w) return;
      open.delete(family);
      if (w.strictBuckets >= (settings.minBuckets?.[w.peak.kind] ?? 1)) found.push(toAnomaly(series, w, settings));
    };
    /** The verdict for one bucket; 'unjudged' when it has too few requests to say anything. */
    const evaluate = (family: Family, p: AnomalyPoint, t: number, relaxed: boolean): Judgement | null | 'unjudged' => {
      const metric = METRICS[family];
      if (!metric.judgeable(p, settings)) return 'unjudged';
      trailingSamples(family, dense, (t - firstSeen) / settings.bucketMs, settings.trailingBuckets, trailing);
      const trailingVerdict = trailing.n >= settings.minTrailingSamples ? judge(metric, p, trailing, settings, relaxed) : null;
      for (const season of settings.seasons) {
        seasonalSamples(family, series, t, seasonalFirst, season, settings, seasonal);
        if (seasonal.n < EFFECT.minSeasonalSamples) continue;
        const seasonalVerdict = judge(metric, p, seasonal, settings, relaxed);
        const trailingVetoes = trailing.n >= settings.minTrailingSamples && trailingVerdict?.kind !== seasonalVerdict?.kind;
        return trailingVetoes || !seasonalVerdict ? null : { ...seasonalVerdict, season };
      }
      return trailingVerdict;
    };
    for (let t = settings.fromMs; t + settings.bucketMs <= settings.toMs; t += settings.bucketMs) {
      const p = series.points.get(t) ?? ZERO;
      for (const family of FAMILIES) {
        const w = open.get(family);
        const strict = evaluate(family, p, t, false);
        if (strict === 'unjudged') {
          if (w && ++w.gap.buckets > MAX_GAP_BUCKETS) close(family);
          else if (w) {
            w.gap.requests += p.count;
            w.gap.errors += p.errors;
          }
          continue;
        }
        if (w) {
          // An open window goes on while buckets clear the strict bar or, failing that, the relaxed one.
          const strictSame = strict?.kind === w.peak.kind;
          const keep = strictSame ? strict : evaluate(family, p, t, true);
          if (keep && keep !== 'unjudged' && keep.kind === w.peak.kind) {
            extendWindow(w, t, p, keep, strictSame, settings.bucketMs);
            continue;
          }
          close(family);
        }
        if (strict) open.set(family, newWindow(family, t, p, strict, settings.bucketMs));
      }
    }
    for (const family of FAMILIES) close(family);
  }
  return finishAnomalies(found);
}

/** Drops endpoint echoes of overall traffic anomalies and ranks the rest (also across bucket sizes). */
export function finishAnomalies(found: readonly DetectedAnomaly[]): DetectedAnomaly[] {
  return rankAnomalies(dropEchoesOfOverallTraffic([...found]));
}

/**
 * A traffic spike of the whole system shows up on every busy endpoint too. Those echoes add
 * nothing, so an endpoint's traffic anomaly is dropped when an overall one of the same kind
 * overlaps it, unless the endpoint moved at least twice as much (then it is its own story).
 */
function dropEchoesOfOverallTraffic(anomalies: DetectedAnomaly[]): DetectedAnomaly[] {
  const overall = anomalies.filter((a) => a.route === null && (a.kind === 'TRAFFIC_SPIKE' || a.kind === 'TRAFFIC_DROP'));
  if (overall.length === 0) return anomalies;
  const ratio = (a: DetectedAnomaly): number => a.observed / Math.max(a.baseline, 1e-9);
  return anomalies.filter((a) => {
    if (a.route === null || (a.kind !== 'TRAFFIC_SPIKE' && a.kind !== 'TRAFFIC_DROP')) return true;
    const echo = overall.find(
      (o) => o.kind === a.kind && (o.service === null || o.service === a.service) && a.start < o.end && a.end > o.start,
    );
    if (!echo) return true;
    return a.kind === 'TRAFFIC_SPIKE' ? ratio(a) >= 2 * ratio(echo) : ratio(a) <= ratio(echo) / 2;
  });
}

/** Most severe first, then the most recent, then the strongest score. */
function rankAnomalies(anomalies: DetectedAnomaly[]): DetectedAnomaly[] {
  return [...anomalies].sort(
    (a, b) => byUrgency(a.severity, b.severity) || b.start.getTime() - a.start.getTime() || Math.abs(b.score) - Math.abs(a.score),
  );
}

function anomalySeverity(kind: AnomalyKind, observed: number, baseline: number): Severity {
  if (kind === 'ERROR_RATE') {
    const rise = observed - baseline;
    return rise >= 0.25 ? 'CRITICAL' : rise >= 0.1 ? 'HIGH' : rise >= 0.05 ? 'MEDIUM' : 'LOW';
  }
  if (kind === 'TRAFFIC_DROP') {
    const ratio = baseline > 0 ? observed / baseline : 1;
    return ratio <= 0.1 ? 'CRITICAL' : ratio <= 0.25 ? 'HIGH' : ratio <= 0.5 ? 'MEDIUM' : 'LOW';
  }
  const ratio = observed / Math.max(baseline, 1);
  return ratio >= 5 ? 'CRITICAL' : ratio >= 3 ? 'HIGH' : ratio >= 2 ? 'MEDIUM' : 'LOW';
}

function toAnomaly(series: AnomalySeries, w: OpenWindow, settings: DetectionSettings): DetectedAnomaly {
  const { peak } = w;
  const anomaly: Omit<DetectedAnomaly, 'explanation' | 'evidence'> = {
    kind: peak.kind,
    service: series.service,
    method: series.method,
    route: series.route,
    start: new Date(w.start),
    end: new Date(w.end),
    buckets: w.buckets,
    bucketSeconds: settings.bucketMs / 1000,
    observed: peak.value,
    baseline: peak.median,
    spread: peak.spread,
    score: peak.score,
    direction: peak.direction,
    severity: anomalySeverity(peak.kind, peak.value, peak.median),
    baselineKind: peak.season ? 'SEASONAL' : 'TRAILING',
    baselineSamples: peak.samples,
    baselineDescription: describeBaseline(peak.season, peak.samples, settings.bucketMs),
    unit: METRICS[w.family].unit,
    requests: w.requests,
    errors: w.errors,
    peakAt: new Date(w.peakAt),
  };
  return {
    ...anomaly,
    explanation: explainAnomaly(anomaly, settings, series.label ?? subject(series)),
    evidence: anomalyEvidence(anomaly),
  };
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

function anomalyEvidence(a: Omit<DetectedAnomaly, 'explanation' | 'evidence'>): Evidence[] {
  const percent = a.unit === 'ratio';
  const unit = percent ? '%' : a.unit;
  const show = (v: number): number => round(percent ? v * 100 : v);
  const what = a.kind === 'ERROR_RATE' ? '5xx rate' : a.kind === 'LATENCY' ? 'p95 latency' : 'requests per bucket';
  const items: Evidence[] = [
    { label: `${what} at peak`, value: show(a.observed), unit },
    { label: `usual ${what}`, value: show(a.baseline), unit },
    { label: 'spread (1.4826 × MAD, floored)', value: show(a.spread), unit },
    { label: 'robust z-score', value: round(a.score), unit: 'σ' },
  ];
  if (a.kind !== 'ERROR_RATE' && a.baseline > 0)
    items.push({ label: 'multiple of usual', value: round(a.observed / a.baseline), unit: 'x' });
  items.push({ label: 'requests in window', value: a.requests, unit: 'requests' });
  if (a.kind === 'ERROR_RATE') items.push({ label: '5xx responses in window', value: a.errors, unit: 'requests' });
  return items;
}

// ---- explanations -------------------------------------------------------------------------

function bucketLabel(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000}-hour bucket`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000}-minute bucket`;
  return `${ms / 1000}-second bucket`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatValue(value: number, unit: AnomalyUnit): string {
  if (unit === 'ratio') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`;
  return Math.round(value).toLocaleString('en-US');
}

/** "2026-11-25 10:03 UTC" */
function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function subject(a: Pick<AnomalySeries, 'service' | 'method' | 'route'>): string {
  if (a.route === null) return a.service === null ? 'all traffic' : `service ${a.service}`;
  return `${endpointLabel({ method: a.method ?? '*', route: a.route })}${a.service ? ` (${a.service})` : ''}`;
}

function describeBaseline(season: SeasonSpec | null, samples: number, bucketMs: number): string {
  if (season) {
    const weekly = season.periodMs >= 7 * 86_400_000;
    return `the same ${weekly ? 'hour of the week' : 'time of day'} over the previous ${plural(samples, weekly ? 'week' : 'day')}`;
  }
  return `the previous ${plural(samples, bucketLabel(bucketMs))}`;
}

export function explainAnomaly(a: Omit<DetectedAnomaly, 'explanation' | 'evidence'>, settings: DetectionSettings, what: string): string {
  const per = bucketLabel(settings.bucketMs);
  const observed = formatValue(a.observed, a.unit);
  const usual = formatValue(a.baseline, a.unit);
  const spread = formatValue(a.spread, a.unit);
  const when = formatTime(a.peakAt);
  const duration = a.buckets === 1 ? `one ${per}` : `${plural(a.buckets, per)}, ${formatTime(a.start)} to ${formatTime(a.end)}`;
  const why = `(${a.unit === 'ratio' ? 'usual rate over' : 'median of'} ${a.baselineDescription}, spread ±${spread}; robust z-score ${a.score.toFixed(1)})`;
  const ratio = a.baseline > 0 ? ` ${(a.observed / a.baseline).toFixed(1)}× ` : ' ';
  switch (a.kind) {
    case 'TRAFFIC_SPIKE':
      return `Traffic spike on ${what}: ${observed} requests in the ${per} starting ${when},${ratio}the usual ${usual} ${why}. Lasted ${duration}.`;
    case 'TRAFFIC_DROP':
      return `Traffic drop on ${what}: ${observed} requests in the ${per} starting ${when}, against the usual ${usual} ${why}. Lasted ${duration}.`;
    case 'ERROR_RATE':
      return `5xx error rate of ${what} reached ${observed} in the ${per} starting ${when}, against the usual ${usual} ${why}; ${a.errors.toLocaleString('en-US')} of ${a.requests.toLocaleString('en-US')} requests failed over ${duration}.`;
    case 'LATENCY':
      return `p95 latency of ${what} reached ${observed} in the ${per} starting ${when},${ratio}the usual ${usual} ${why}. Lasted ${duration}.`;
  }
}
