import { describe, expect, it } from 'vitest';
import { planBuckets, planSeasons, seasonalWindows } from '../../src/insights/anomalies/read.ts';

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
