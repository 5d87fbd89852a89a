import { describe, expect, it } from 'vitest';
import {
  detectAnomalies,
  latencyPoint,
  type AnomalyPoint,
  type AnomalySeries,
  type DetectionSettings,
} from '../../src/insights/anomalies/rules.ts';
import {
  binomialUpperTail,
  median,
  normalUpperTail,
  robustBaseline,
  robustBaselineOf,
  wilsonLowerBound,
} from '../../src/insights/robust-stats.ts';
import { HistogramBuilder } from '../../src/storage/histogram.ts';
import { seededRandom as rng } from '@logpulse/testkit/random';

/**
 * The pure detector on synthetic series with known incidents (and known non-incidents). Series
 * are drawn from seeded Poisson/binomial/log-normal noise so the quiet cases face realistic
 * jitter, not flat lines.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 0, 0); // a Monday

function poisson(r: () => number, mean: number): number {
  if (mean > 50) {
    const u = 1 - r();
    const v = r();
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > limit) {
    k++;
    p *= r();
  }
  return k;
}

interface BucketSpec {
  /** Expected requests. */
  rate: number;
  /** Probability a request is a 5xx. */
  errorRate: number;
  /** Median latency (ms) of a log-normal with sigma 0.4. */
  latency: number;
}

/** A series of `n` buckets of `bucketMs` from `start`, drawn from `spec(i)`. */
function series(
  seed: number,
  start: number,
  n: number,
  bucketMs: number,
  spec: (i: number, t: number) => BucketSpec,
): Map<number, AnomalyPoint> {
  const r = rng(seed);
  const points = new Map<number, AnomalyPoint>();
  for (let i = 0; i < n; i++) {
    const t = start + i * bucketMs;
    const s = spec(i, t);
    const count = poisson(r, s.rate);
    const h = new HistogramBuilder();
    let errors = 0;
    for (let k = 0; k < count; k++) {
      if (r() < s.errorRate) errors++;
      const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      h.add(s.latency * Math.exp(0.4 * z));
    }
    if (count > 0) points.set(t, latencyPoint(h.toSparse(), count, errors));
  }
  return points;
}

const normal = (rate: number): BucketSpec => ({ rate, errorRate: 0.005, latency: 40 });

function endpoint(points: Map<number, AnomalyPoint>, seasonalPoints = new Map<number, AnomalyPoint>()): AnomalySeries {
  return { service: 'shop', method: 'GET', route: '/api/products', points, seasonalPoints };
}

/** Minute buckets: 60 of history, then `analysed` judged buckets. */
function minuteSettings(analysed: number, overrides: Partial<DetectionSettings> = {}): DetectionSettings {
  return {
    bucketMs: MINUTE,
    fromMs: T0 + 60 * MINUTE,
    toMs: T0 + (60 + analysed) * MINUTE,
    trailingBuckets: 60,
    minTrailingSamples: 30,
    seasons: [],
    threshold: 5,
    minRequests: 20,
    minBuckets: { LATENCY: 2 },
    ...overrides,
  };
}

describe('robust statistics', () => {
  it('median, MAD and the Wilson lower bound', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    // Deviations from 3 are 2, 1, 0, 1, 97: their median is 1. One wild value cannot move it.
    expect(robustBaseline([1, 2, 3, 4, 100])).toEqual({ median: 3, mad: 1, samples: 5 });
    expect(wilsonLowerBound(0, 50)).toBe(0);
    // 2 failures in 3 requests is weak evidence: the 99 % lower bound is far below 67 %.
    expect(wilsonLowerBound(2, 3)).toBeLessThan(0.15);
    expect(wilsonLowerBound(600, 1000)).toBeCloseTo(0.56, 2);
  });

  it('the typed-array baseline agrees with the plain one', () => {
    const values = [7, 1, 9, 3, 3, 12, 5];
    expect(robustBaselineOf(Float64Array.from(values), values.length, new Float64Array(8))).toEqual({
      median: robustBaseline(values)!.median,
      mad: robustBaseline(values)!.mad,
    });
    expect(robustBaselineOf(new Float64Array(4), 0, new Float64Array(4))).toBeNull();
  });

  it('the typed-array baseline equals the sort-everything one on many samples (ties, both sort paths)', () => {
    // Deterministic pseudo-random samples: sizes 1..100 (insertion sort up to 64, native above),
    // small integers (many ties, deviations equal on both sides) and fractions.
    let seed = 42;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const scratch = new Float64Array(100);
    for (let run = 0; run < 2_000; run++) {
      const n = 1 + (run % 100);
      const values = Array.from({ length: n }, () => (run % 3 === 0 ? Math.floor(next() * 5) : next() * 1_000));
      const expected = robustBaseline(values)!;
      expect(robustBaselineOf(Float64Array.from(values), n, scratch)).toEqual({ median: expected.median, mad: expected.mad });
    }
  });

  it('exact binomial and normal tails', () => {
    expect(binomialUpperTail(60, 100, 0.5)).toBeCloseTo(0.02844, 4);
    expect(binomialUpperTail(0, 10, 0.1)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.1)).toBe(0);
    // 3 failures in 27 at a usual 0.4 %: rare (1.7e-4), but nowhere near a z of 5 (2.9e-7).
    expect(binomialUpperTail(3, 27, 0.004)).toBeCloseTo(1.742e-4, 6);
    expect(normalUpperTail(1.96)).toBeCloseTo(0.025, 4);
    expect(normalUpperTail(5)).toBeCloseTo(2.867e-7, 9);
    expect(normalUpperTail(-1)).toBeCloseTo(0.8413, 4);
  });

  it('the pessimistic p95 of a small bucket is well below its p95', () => {
    const h = new HistogramBuilder();
    for (let i = 1; i <= 30; i++) h.add(i * 10);
    const p = latencyPoint(h.toSparse(), 30, 0);
    expect(p.p95).toBeGreaterThan(270);
    expect(p.p95Lower).toBeLessThan(p.p95! * 0.95);
  });
});

describe('detectAnomalies', () => {
  it('finds a one-minute 3× traffic spike at its minute, and nothing else', () => {
    const spikeAt = T0 + 100 * MINUTE;
    const points = series(1, T0, 180, MINUTE, (_i, t) => normal(t === spikeAt ? 300 : 100));
    const found = detectAnomalies([endpoint(points)], minuteSettings(120));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'TRAFFIC_SPIKE',
      direction: 'UP',
      route: '/api/products',
      buckets: 1,
      baselineKind: 'TRAILING',
    });
    expect(found[0]!.start.getTime()).toBe(spikeAt);
    expect(found[0]!.end.getTime()).toBe(spikeAt + MINUTE);
    expect(found[0]!.baseline).toBeGreaterThan(90);
    expect(found[0]!.baseline).toBeLessThan(110);
    expect(found[0]!.observed / found[0]!.baseline).toBeGreaterThan(2.5);
    expect(found[0]!.score).toBeGreaterThan(5);
    expect(found[0]!.explanation).toMatch(/Traffic spike on GET \/api\/products.*the usual \d+ \(median of the previous 60 minutes/);
    expect(found[0]!.evidence.map((e) => e.label)).toContain('robust z-score');
  });

  it('finds a 10-minute traffic drop as one window', () => {
    const from = T0 + 90 * MINUTE;
    const points = series(2, T0, 150, MINUTE, (i, t) => normal(t >= from && t < from + 10 * MINUTE ? 8 : 100));
    const found = detectAnomalies([endpoint(points)], minuteSettings(90));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'TRAFFIC_DROP', direction: 'DOWN', buckets: 10 });
    expect(found[0]!.start.getTime()).toBe(from);
    expect(found[0]!.end.getTime()).toBe(from + 10 * MINUTE);
    // 8 where 100 are usual: a near-outage.
    expect(found[0]!.severity).toBe('CRITICAL');
  });

  it('finds a 2-minute error burst with its requests and failures', () => {
    const from = T0 + 80 * MINUTE;
    const points = series(3, T0, 120, MINUTE, (_i, t) => ({ ...normal(60), errorRate: t >= from && t < from + 2 * MINUTE ? 0.6 : 0.005 }));
    const found = detectAnomalies([endpoint(points)], minuteSettings(60));
    expect(found).toHaveLength(1);
    const a = found[0]!;
    expect(a).toMatchObject({ kind: 'ERROR_RATE', direction: 'UP', buckets: 2, unit: 'ratio', severity: 'CRITICAL' });
    expect(a.start.getTime()).toBe(from);
    expect(a.end.getTime()).toBe(from + 2 * MINUTE);
    const burst = [points.get(from)!, points.get(from + MINUTE)!];
    expect(a.requests).toBe(burst[0]!.count + burst[1]!.count);
    expect(a.errors).toBe(burst[0]!.errors + burst[1]!.errors);
    expect(a.observed).toBeGreaterThan(0.4);
    expect(a.baseline).toBeLessThan(0.02);
  });

  it('finds a 5-minute latency step on p95, but not a single slow minute', () => {
    const from = T0 + 75 * MINUTE;
    const blip = T0 + 110 * MINUTE;
    const points = series(4, T0, 130, MINUTE, (_i, t) => ({
      ...normal(80),
      latency: (t >= from && t < from + 5 * MINUTE) || t === blip ? 200 : 40,
    }));
    const found = detectAnomalies([endpoint(points)], minuteSettings(70));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'LATENCY', buckets: 5, unit: 'ms' });
    expect(found[0]!.start.getTime()).toBe(from);
    expect(found[0]!.end.getTime()).toBe(from + 5 * MINUTE);
    expect(found[0]!.observed / found[0]!.baseline).toBeGreaterThan(3.5);
    // With a one-bucket minimum the lone slow minute is reported too: the default is what hides it.
    const strict = detectAnomalies([endpoint(points)], minuteSettings(70, { minBuckets: {} }));
    expect(strict.map((a) => a.start.getTime()).sort()).toEqual([from, blip]);
  });

  it('stays quiet on hours of normal jittery traffic at several volumes', () => {
    for (const [seed, rate] of [
      [5, 25],
      [6, 100],
      [7, 1000],
    ] as const) {
      const points = series(seed, T0, 360, MINUTE, () => normal(rate));
      expect(detectAnomalies([endpoint(points)], minuteSettings(300)), `rate ${rate}`).toEqual([]);
    }
  });

  it('does not call low-volume error noise an anomaly', () => {
    // ~8 requests a minute with 5 % errors: 2 of 8 failing happens all the time.
    const sparse = series(8, T0, 300, MINUTE, () => ({ ...normal(8), errorRate: 0.05 }));
    expect(detectAnomalies([endpoint(sparse)], minuteSettings(240))).toEqual([]);
    // Enough volume to be judged, a usual 2 % and a bucket where 3 of 25 fail: within the noise.
    const noisy = series(9, T0, 120, MINUTE, () => ({ ...normal(25), errorRate: 0.02 }));
    const t = T0 + 90 * MINUTE;
    noisy.set(t, { ...noisy.get(t)!, count: 25, errors: 3 });
    expect(detectAnomalies([endpoint(noisy)], minuteSettings(60))).toEqual([]);
    // ...while 15 of 25 failing is not.
    noisy.set(t, { ...noisy.get(t)!, count: 25, errors: 15 });
    expect(detectAnomalies([endpoint(noisy)], minuteSettings(60)).map((a) => a.kind)).toEqual(['ERROR_RATE']);
    // Rare errors (0.4 %), 27 requests, 3 failures: a z-score over 5 by the normal approximation,
    // but the exact binomial tail (1.7e-4) is far from the 2.9e-7 that z = 5 stands for.
    const rare = series(15, T0, 120, MINUTE, () => ({ ...normal(27), errorRate: 0.004 }));
    rare.set(t, { ...rare.get(t)!, count: 27, errors: 3 });
    expect(detectAnomalies([endpoint(rare)], minuteSettings(60))).toEqual([]);
  });

  it('judges each bucket against a baseline without that bucket', () => {
    const points = new Map<number, AnomalyPoint>();
    const at = (i: number) => T0 + i * MINUTE;
    [100, 120, 140].forEach((count, i) => points.set(at(i), { count, errors: 0, p95: 40, p95Lower: 35 }));
    points.set(at(3), { count: 1000, errors: 0, p95: 40, p95Lower: 35 });
    const found = detectAnomalies(
      [endpoint(points)],
      minuteSettings(1, { fromMs: at(3), toMs: at(4), trailingBuckets: 3, minTrailingSamples: 3 }),
    );
    expect(found).toHaveLength(1);
    // Median of 100, 120, 140 — with the bucket itself it would have been 130.
    expect(found[0]!.baseline).toBe(120);
    // MAD is 20 → 1.4826 × 20 = 29.65; the Poisson floor √120 ≈ 11 is lower.
    expect(found[0]!.spread).toBeCloseTo(29.652, 3);
    expect(found[0]!.score).toBeCloseTo((1000 - 120) / 29.652, 2);
  });

  it('floors the spread when the history is perfectly flat (MAD = 0)', () => {
    const points = new Map<number, AnomalyPoint>();
    for (let i = 0; i < 60; i++) points.set(T0 + i * MINUTE, { count: 100, errors: 0, p95: 40, p95Lower: 35 });
    points.set(T0 + 60 * MINUTE, { count: 130, errors: 0, p95: 40, p95Lower: 35 });
    points.set(T0 + 61 * MINUTE, { count: 400, errors: 0, p95: 40, p95Lower: 35 });
    const found = detectAnomalies([endpoint(points)], minuteSettings(2));
    // 130 is +3 Poisson standard deviations (spread √100 = 10), not +∞: no anomaly.
    expect(found).toHaveLength(1);
    expect(found[0]!.start.getTime()).toBe(T0 + 61 * MINUTE);
    expect(found[0]!.spread).toBe(10);
    expect(Number.isFinite(found[0]!.score)).toBe(true);
  });

  it('merges consecutive buckets and keeps separate incidents apart', () => {
    const spikes = new Set([70, 71, 72, 90].map((i) => T0 + i * MINUTE));
    const points = series(10, T0, 120, MINUTE, (_i, t) => normal(spikes.has(t) ? 400 : 100));
    const found = detectAnomalies([endpoint(points)], minuteSettings(60));
    expect(found.map((a) => [a.kind, (a.start.getTime() - T0) / MINUTE, a.buckets])).toEqual([
      ['TRAFFIC_SPIKE', 90, 1],
      ['TRAFFIC_SPIKE', 70, 3],
    ]);
  });

  it('does not flag a daily pattern once it has 3 days of history; a trailing baseline alone would', () => {
    // Business hours (09-17 UTC) carry 10× the night traffic, every day; 8 days of hourly buckets.
    const busy = (t: number) => {
      const hour = new Date(t).getUTCHours();
      return hour >= 9 && hour < 17;
    };
    const points = series(11, T0, 8 * 24, HOUR, (_i, t) => ({ ...normal(busy(t) ? 3000 : 300), latency: busy(t) ? 60 : 40 }));
    const settings: DetectionSettings = {
      bucketMs: HOUR,
      fromMs: T0 + 4 * DAY,
      toMs: T0 + 8 * DAY,
      trailingBuckets: 24,
      minTrailingSamples: 24,
      seasons: [{ periodMs: DAY, cycles: 7, bucketMs: HOUR }],
      threshold: 5,
      minRequests: 20,
    };
    const s: AnomalySeries = { ...endpoint(points, points) };
    expect(detectAnomalies([s], settings)).toEqual([]);
    // The same days judged by the trailing day alone: every 9 am ramp-up looks like a spike.
    const trailingOnly = detectAnomalies([s], { ...settings, seasons: [] });
    expect(trailingOnly.filter((a) => a.kind === 'TRAFFIC_SPIKE').map((a) => new Date(a.start).getUTCHours())).toEqual([9, 9, 9, 9]);

    // A real incident on day 7 still stands out against the seasonal baseline, and says so.
    const incidentAt = T0 + 6 * DAY + 11 * HOUR;
    const withIncident = new Map(points);
    const p = withIncident.get(incidentAt)!;
    withIncident.set(incidentAt, { ...p, errors: Math.round(p.count * 0.3) });
    const found = detectAnomalies([endpoint(withIncident, withIncident)], settings);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'ERROR_RATE', baselineKind: 'SEASONAL', baselineSamples: 6 });
    expect(found[0]!.start.getTime()).toBe(incidentAt);
    expect(found[0]!.explanation).toContain('the same time of day over the previous 6 days');
  });

  it('drops endpoint echoes of an overall traffic spike', () => {
    const spikeAt = T0 + 80 * MINUTE;
    const shape = (rate: number) => (_i: number, t: number) => normal(t === spikeAt ? rate * 3 : rate);
    const overall: AnomalySeries = {
      service: null,
      method: null,
      route: null,
      points: series(12, T0, 120, MINUTE, shape(300)),
      seasonalPoints: new Map(),
    };
    const a = endpoint(series(13, T0, 120, MINUTE, shape(150)));
    // This endpoint jumped 10×, far beyond the overall 3×: that is its own story.
    const b: AnomalySeries = {
      ...endpoint(series(14, T0, 120, MINUTE, (_i, t) => normal(t === spikeAt ? 500 : 50))),
      route: '/api/search',
    };
    const found = detectAnomalies([overall, a, b], minuteSettings(60));
    expect(found).toHaveLength(2);
    expect(new Set(found.map((f) => f.route))).toEqual(new Set([null, '/api/search']));
    expect(found.find((f) => f.route === null)!.explanation).toContain('all traffic');
  });
});
