import { describe, expect, it } from 'vitest';
import { groupSeries, planBuckets, planSeasons, pooledBucket, seasonalWindows } from '../../src/insights/anomalies/read.ts';

/** How anomalies sizes its buckets and which history it reads, for a few ranges. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END = Date.UTC(2026, 10, 25, 12);

describe('anomaly read plan', () => {
  it('sizes buckets by range, with a trailing window that covers a full cycle for hours', () => {
    expect(planBuckets(HOUR)).toEqual({ bucketMs: 60_000, trailing: 60, minTrailing: 30 });
    expect(planBuckets(6 * HOUR)).toMatchObject({ bucketMs: 60_000 });
    expect(planBuckets(24 * HOUR)).toEqual({ bucketMs: 300_000, trailing: 36, minTrailing: 18 });
    expect(planBuckets(7 * DAY)).toEqual({ bucketMs: HOUR, trailing: 24, minTrailing: 24 });
  });

  it('pools a low-volume series into the finest bucket that holds 20 requests (minimum evidence)', () => {
    const MINUTE = 60_000;
    expect(pooledBucket(25, MINUTE)).toBe(MINUTE);
    expect(pooledBucket(6, MINUTE)).toBe(5 * MINUTE); // 30 per 5 minutes
    expect(pooledBucket(2, MINUTE)).toBe(15 * MINUTE); // 30 per 15 minutes
    expect(pooledBucket(0.8, MINUTE)).toBe(15 * MINUTE); // 12: at least half the evidence, watched
    expect(pooledBucket(0.5, MINUTE)).toBeNull(); // 7.5 per 15 minutes: not watched...
    expect(pooledBucket(0.5, MINUTE, true)).toBe(15 * MINUTE); // ...unless asked for by route and method
    expect(pooledBucket(2, 5 * MINUTE)).toBe(HOUR);
    expect(pooledBucket(2, HOUR)).toBeNull();
    expect(pooledBucket(12, HOUR)).toBe(HOUR);
    const e = (route: string, count: number) => ({ service: 's', method: 'GET', route, count });
    // 60 minute buckets: 1500 → 25/min, 360 → 6/min, 30 → 0.5/min.
    const groups = groupSeries([e('/big', 1500), e('/small', 360), e('/tiny', 30)], 60, MINUTE, false);
    expect([...groups].map(([size, g]) => [size / MINUTE, g.overall, g.endpoints.map((x) => x.route)])).toEqual([
      [1, true, ['/big']],
      [5, false, ['/small']],
    ]);
  });

  it('offers seasonal baselines once 3 cycles of history exist', () => {
    expect(planSeasons(null, END)).toEqual([]);
    expect(planSeasons(END - 2 * DAY, END)).toEqual([]);
    expect(planSeasons(END - 3 * DAY, END).map((s) => s.periodMs)).toEqual([DAY]);
    expect(planSeasons(END - 21 * DAY, END).map((s) => [s.periodMs, s.cycles])).toEqual([
      [7 * DAY, 4],
      [DAY, 7],
    ]);
  });

  it('reads only the shifted hours a seasonal baseline needs', () => {
    const [daily] = planSeasons(END - 10 * DAY, END);
    // Six hours, seven days back: seven separate 6-hour windows, not the whole week.
    const six = seasonalWindows([daily!], END - 6 * HOUR, END);
    expect(six).toHaveLength(7);
    expect(six[6]).toEqual([END - DAY - 6 * HOUR, END - DAY]);
    expect(six[0]).toEqual([END - 7 * DAY - 6 * HOUR, END - 7 * DAY]);
    // A whole day shifted by whole days joins up into one week-long window.
    expect(seasonalWindows([daily!], END - DAY, END)).toEqual([[END - 8 * DAY, END - DAY]]);
    // Unaligned edges widen to whole hours.
    expect(seasonalWindows([daily!], END - HOUR - 60_000, END - 60_000)[0]).toEqual([END - 7 * DAY - 2 * HOUR, END - 7 * DAY]);
  });
});
