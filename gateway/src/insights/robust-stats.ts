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

/** Below this many values an insertion sort beats the native typed-array sort (a runtime call per sort). */
const INSERTION_SORT_MAX = 64;

/**
 * robustBaseline of the first `n` entries of `values` without allocating: `scratch` (at least
 * `n` long) holds the sorted copy. For hot loops: the anomaly detector computes two baselines
 * per bucket, family and series (tens of thousands per analysis) over at most 60 values, so the
 * copy is sorted by insertion and the MAD is read off the sorted copy in one merge pass instead
 * of sorting the deviations (the same numbers: |v − m| and m − v are the same float).
 */
export function robustBaselineOf(values: Float64Array, n: number, scratch: Float64Array): { median: number; mad: number } | null {
  if (n === 0) return null;
  const work = scratch.subarray(0, n);
  work.set(values.subarray(0, n));
  if (n <= INSERTION_SORT_MAX) insertionSort(work);
  else work.sort();
  const m = sortedMedian(work);
  return { median: m, mad: sortedMedianDeviation(work, m) };
}

function insertionSort(a: Float64Array): void {
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * The median of |v − m| over the sorted `sorted`: the deviations below m grow leftwards from m's
 * position and those above grow rightwards, so merging the two runs yields them in ascending
 * order; the walk stops at the middle one.
 */
function sortedMedianDeviation(sorted: Float64Array, m: number): number {
  const n = sorted.length;
  let right = 0;
  while (right < n && sorted[right]! < m) right++;
  let left = right - 1;
  let previous = 0;
  let current = 0;
  for (let k = 0; k <= n >> 1; k++) {
    previous = current;
    if (right < n && (left < 0 || sorted[right]! - m <= m - sorted[left]!)) current = sorted[right++]! - m;
    else current = m - sorted[left--]!;
  }
  return n % 2 === 1 ? current : (previous + current) / 2;
}

function sortedMedian(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p), summed exactly from k upwards (the terms past the mean shrink
 * geometrically, so only a handful are needed). For small counts the normal approximation behind
 * a z-score badly understates this tail: 3 failures in 27 requests at a usual 0.4 % is a
 * 1-in-5 000 event, not the 1-in-3 million a z of 5.7 suggests.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // log C(n, k) + k log p + (n − k) log(1 − p), with log C(n, k) summed in O(k).
  let logPmf = k * Math.log(p) + (n - k) * Math.log1p(-p);
  for (let i = 0; i < k; i++) logPmf += Math.log((n - i) / (k - i));
  let term = Math.exp(logPmf);
  let sum = 0;
  const ratio = p / (1 - p);
  for (let x = k; x <= n; x++) {
    sum += term;
    term *= ((n - x) / (x + 1)) * ratio;
    if (term <= sum * 1e-15) break;
  }
  return Math.min(1, sum);
}

/** P(Z ≥ z) for a standard normal Z (erfc approximation, relative error < 1.2e-7). */
export function normalUpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return (x >= 0 ? erfc : 2 - erfc) / 2;
}
