/**
 * Small robust statistics used by the insight analyses (anomalies, bottlenecks). Medians and
 * the median absolute deviation (MAD) are used instead of mean and standard deviation because
 * the outliers we are looking for would otherwise inflate the very baseline they are judged by.
 */

/** Scales a MAD to estimate the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface RobustBaseline {
  median: number;
  /** Median absolute deviation from the median. */
  mad: number;
  samples: number;
}

export function robustBaseline(values: readonly number[]): RobustBaseline | null {
  const m = median(values);
  if (m === null) return null;
  return { median: m, mad: median(values.map((v) => Math.abs(v - m))) ?? 0, samples: values.length };
}

/**
 * Lower bound of the Wilson score interval for a binomial proportion (z = 2.576 ≈ 99 %). Unlike
 * the plain ratio it stays low when there are few trials: 2 errors out of 3 requests is not
 * evidence of a 67 % error rate.
 */
export function wilsonLowerBound(successes: number, trials: number, z = 2.576): number {
  if (trials <= 0) return 0;
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - margin) / (1 + z2 / trials));
}
