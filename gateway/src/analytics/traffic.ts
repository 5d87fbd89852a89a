import type pg from 'pg';
import { effectiveRange, EMPTY_MEASURES, readRollups, type AnalyticsFilter } from '../storage/rollup-read.ts';
import { BUCKET_ORIGIN_MS } from '../storage/time-bucket.ts';
import { requestStats, type RequestStats } from './request-stats.ts';
import type { ResolvedRange } from '../domain/time-range.ts';

export interface TrafficPoint extends Omit<RequestStats, 'share'> {
  /** Start of the bucket. */
  bucket: Date;
}

export interface Traffic {
  bucketSeconds: number;
  points: TrafficPoint[];
}

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Bucket sizes offered automatically, smallest first. */
const AUTO_BUCKETS = [MIN, 5 * MIN, 15 * MIN, HOUR, 6 * HOUR, DAY, 7 * DAY];
/** The most points a series may have; more would not fit a chart and would cost more to read. */
export const MAX_POINTS = 1500;

/**
 * A bucket giving 60–100-ish points: 1m up to 1h, 5m up to 6h, 15m up to 24h, 1h up to 7d, 6h up
 * to 30d; beyond, the smallest of 6h, 1d, 7d giving at most 500 points (6h up to 125 days, 1d up
 * to 500 days), so even the longest retention stays under ~500 points.
 */
export function autoBucketSeconds(range: ResolvedRange): number {
  const seconds = (range.to.getTime() - range.from.getTime()) / 1000;
  const limits: [number, number][] = [
    [HOUR, MIN],
    [6 * HOUR, 5 * MIN],
    [DAY, 15 * MIN],
    [7 * DAY, HOUR],
    [30 * DAY, 6 * HOUR],
  ];
  for (const [upTo, bucket] of limits) if (seconds <= upTo) return bucket;
  return AUTO_BUCKETS.find((b) => seconds / b <= 500) ?? 7 * DAY;
}

/** Bucket starts (ms) covering the range, aligned like `bucketSql` aligns them in UTC. */
export function bucketStarts(range: ResolvedRange, bucketSeconds: number): number[] {
  const { from, to } = effectiveRange(range);
  const step = bucketSeconds * 1000;
  // Aligned to the storage's Monday origin, which matters for 7d buckets.
  const origin = BUCKET_ORIGIN_MS;
  const starts: number[] = [];
  for (let t = origin + Math.floor((from.getTime() - origin) / step) * step; t < to.getTime(); t += step) starts.push(t);
  return starts;
}

/**
 * Requests, errors (4xx/5xx) and latency per time bucket over a range, every bucket present
 * (zeros where nothing happened). Buckets are UTC-aligned; the first and last may extend past the
 * range, but only requests inside it are counted.
 */
export async function getTraffic(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; bucketSeconds?: number },
): Promise<Traffic> {
  const bucketSeconds = input.bucketSeconds ?? autoBucketSeconds(input.range);
  // summaries: a bucket that is one stored all-traffic row brings its p50/p95/p99 keys, not a histogram.
  const rows = await readRollups(pool, { range: input.range, filter: input.filter, groupBy: ['bucket'], bucketSeconds, summaries: true });
  const byStart = new Map(rows.map((r) => [r.bucket.getTime(), r]));
  const points = bucketStarts(input.range, bucketSeconds).map((start) => {
    const { share: _share, ...stats } = requestStats(byStart.get(start) ?? EMPTY_MEASURES, 0);
    return { bucket: new Date(start), ...stats };
  });
  return { bucketSeconds, points };
}
