/**
 * Mergeable latency histogram with fixed, log-spaced buckets shared by every rollup row (the
 * DDSketch idea). Bucket k holds latencies in (MIN·γ^(k-1), MIN·γ^k]; reading a quantile returns
 * the bucket's representative value 2·MIN·γ^k/(γ+1), whose relative error is at most
 * (γ-1)/(γ+1) ≈ 3.8 % for γ = 1.08. Because the boundaries never change, histograms merge by
 * summing counts per key (minute → hour → any range), in SQL or here.
 *
 * Stored sparse as two parallel arrays (keys ascending, counts) because a minute rollup row
 * usually has only a handful of non-empty buckets out of 269 (0.1 ms to 24 h).
 */
export const GAMMA = 1.08;
export const MIN_MS = 0.1;
/** The longest latency ingest accepts (24 h): every accepted latency has its own bucket. */
export const MAX_LATENCY_MS = 86_400_000;
/**
 * Key of the bucket holding MAX_LATENCY_MS (268). Keys never change meaning, so extending the
 * range kept every stored histogram valid: before, the top key was 182 (~121 s) and held every
 * slower request too; migration 20261205214500_histogram_24h re-keyed what it could of those.
 */
export const MAX_KEY = Math.ceil(Math.log(MAX_LATENCY_MS / MIN_MS) / Math.log(GAMMA));
const LOG_GAMMA = Math.log(GAMMA);

export interface SparseHistogram {
  keys: number[];
  counts: number[];
}

export function bucketKey(latencyMs: number): number {
  if (!(latencyMs > MIN_MS)) return 0;
  return Math.min(MAX_KEY, Math.ceil(Math.log(latencyMs / MIN_MS) / LOG_GAMMA));
}

export function bucketValue(key: number): number {
  if (key <= 0) return MIN_MS;
  return (2 * MIN_MS * GAMMA ** key) / (GAMMA + 1);
}

/** Accumulates latencies into a dense count array, then emits the sparse form. */
export class HistogramBuilder {
  private readonly dense = new Map<number, number>();

  add(latencyMs: number, count = 1): void {
    const key = bucketKey(latencyMs);
    this.dense.set(key, (this.dense.get(key) ?? 0) + count);
  }

  addSparse(h: SparseHistogram): void {
    h.keys.forEach((key, i) => this.dense.set(key, (this.dense.get(key) ?? 0) + (h.counts[i] ?? 0)));
  }

  toSparse(): SparseHistogram {
    const keys = [...this.dense.keys()].sort((a, b) => a - b);
    return { keys, counts: keys.map((k) => this.dense.get(k) ?? 0) };
  }
}

export function mergeHistograms(histograms: Iterable<SparseHistogram>): SparseHistogram {
  const builder = new HistogramBuilder();
  for (const h of histograms) builder.addSparse(h);
  return builder.toSparse();
}

/**
 * The q-quantile (0..1) of a sparse histogram, using the same rank convention as
 * `percentile_disc`: the smallest value with at least q·n values at or below it. `max`, when
 * known, caps the estimate so p99 never exceeds the exact maximum.
 */
export function quantile(h: SparseHistogram, q: number, max?: number): number | null {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < h.keys.length; i++) {
    seen += h.counts[i] ?? 0;
    if (seen >= rank) return keyValue(h.keys[i] ?? 0, max);
  }
  return max ?? bucketValue(h.keys[h.keys.length - 1] ?? 0);
}

/** What `quantile` returns once it has found the key: the key's value, capped by `max` when known. */
export function keyValue(key: number, max?: number): number {
  const v = bucketValue(key);
  return max !== undefined ? Math.min(v, max) : v;
}

/** Two-sided 99 % normal quantile of the p95 confidence bound below. */
export const P95_BOUND_Z = 2.576;

/**
 * The quantile level of the lower end of p95's distribution-free 99 % confidence interval among
 * `count` requests: rank n·q − z·√(n·q·(1−q)). rollup-levels.ts stores the same figure per
 * endpoint-level row (its SQL repeats this arithmetic operation for operation, so the
 * floating-point results are identical).
 */
export function p95LowerLevel(count: number): number {
  const q = 0.95;
  return Math.max(0, q - P95_BOUND_Z * Math.sqrt((q * (1 - q)) / count));
}

export interface LatencySummary {
  avg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** avg/p50/p95/p99/max from a histogram plus the exact sum, count and max kept beside it. */
export function summarizeLatency(h: SparseHistogram, count: number, sum: number, max: number | null): LatencySummary {
  if (count === 0) return { avg: null, p50: null, p95: null, p99: null, max: null };
  const cap = max ?? undefined;
  return {
    avg: sum / count,
    p50: quantile(h, 0.5, cap),
    p95: quantile(h, 0.95, cap),
    p99: quantile(h, 0.99, cap),
    max,
  };
}
