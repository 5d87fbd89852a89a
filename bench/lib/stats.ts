/** Nearest-rank percentile (p in 0..100) of samples sorted ascending; null when there are none. */
function rankOf(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

export function percentile(samples: ArrayLike<number>, p: number): number | null {
  return rankOf(Float64Array.from(samples).sort(), p);
}

export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Nearest-rank percentiles of any number of samples (typed-array sort: millions are fine). */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n,
    p50: rankOf(sorted, 50),
    p95: rankOf(sorted, 95),
    p99: rankOf(sorted, 99),
    max: n ? sorted[n - 1]! : null,
    mean: n ? sum / n : null,
  };
}

/** Fixed-precision rendering for tables: '–' for missing values. */
export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
