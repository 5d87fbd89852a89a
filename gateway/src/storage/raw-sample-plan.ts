import type { ResolvedRange } from '../domain/time-range.ts';

/**
 * Which raw records a top list (user agents, client IPs) is counted over. Grouping every raw
 * record of a busy range costs time in proportion to the traffic (1.4M records for 24 h at 10M
 * a week); past a bound, the records are sampled instead, spread over the whole range in
 * proportion to each hour's traffic, so a client that was busy early in the range is seen as
 * well as one that is busy now. Within each hour the quota is split over short slices of equal
 * length, and each slice contributes its newest records: an index range scan with a LIMIT, so
 * the cost follows the bound, not the traffic.
 */

/**
 * Default bound on the raw records one top list is counted over (ANALYTICS_RAW_SAMPLE_ROWS).
 * 20,000 measures a client with 1 % of the traffic to within ±0.07 percentage points (one
 * standard error), which ranks heavy hitters reliably, and reads 24 h at 10M a week in tens of
 * milliseconds where counting all 1.4M records took seconds. Most of the cost is the hash
 * aggregate over distinct client IPs, so it grows with the bound, not with the traffic.
 */
export const DEFAULT_RAW_SAMPLE_ROWS = 20_000;

/** Records a slice aims to contribute: fewer, larger slices mean fewer index probes; more, finer ones a finer spread. */
const ROWS_PER_SLICE = 250;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Traffic of one UTC hour of the range (the edge hours only count their minutes inside it). */
export interface HourCount {
  bucket: Date;
  count: number;
}

/** The newest `limit` records with from <= timestamp < to. */
export interface SampleSlice {
  from: Date;
  to: Date;
  limit: number;
}

/**
 * The slices to read, or null when the range holds at most `maxRows` records and every one of
 * them should be read. Limits add up to exactly `maxRows` (cumulative rounding), each hour's
 * share in proportion to its count.
 */
export function planRawSample(range: ResolvedRange, hours: readonly HourCount[], maxRows: number): SampleSlice[] | null {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const inRange = hours
    .map((h) => ({ start: Math.max(h.bucket.getTime(), from), end: Math.min(h.bucket.getTime() + HOUR_MS, to), count: h.count }))
    .filter((h) => h.count > 0 && h.end > h.start)
    .sort((a, b) => a.start - b.start);
  const total = inRange.reduce((n, h) => n + h.count, 0);
  if (total <= maxRows) return null;
  const pieces: { start: number; end: number; weight: number }[] = [];
  for (const h of inRange) {
    const quota = (maxRows * h.count) / total;
    const minutes = Math.max(1, Math.floor((h.end - h.start) / MINUTE_MS));
    const n = Math.max(1, Math.min(Math.round(quota / ROWS_PER_SLICE), minutes));
    // Boundaries computed once per hour, so adjacent slices share them exactly (whole ms, as stored).
    const bounds = Array.from({ length: n + 1 }, (_, i) => Math.round(h.start + ((h.end - h.start) * i) / n));
    for (let i = 0; i < n; i++) pieces.push({ start: bounds[i]!, end: bounds[i + 1]!, weight: h.count / n });
  }
  const slices: SampleSlice[] = [];
  let cumulative = 0;
  let assigned = 0;
  for (const p of pieces) {
    cumulative += p.weight;
    const target = Math.min(maxRows, Math.round((maxRows * cumulative) / total));
    const limit = target - assigned;
    assigned = target;
    if (limit > 0) slices.push({ from: new Date(p.start), to: new Date(p.end), limit });
  }
  return slices;
}
