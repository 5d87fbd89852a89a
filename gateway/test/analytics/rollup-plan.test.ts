import { describe, expect, it } from 'vitest';
import { effectiveRange, planRollupRead } from '../../src/analytics/rollup-query.ts';
import { hasWholeHourOffsets, isValidTimeZone, zoneOffsetMinutes } from '../../src/analytics/time-bucket.ts';
import { autoBucketSeconds, bucketStarts } from '../../src/analytics/traffic.ts';

const at = (iso: string) => new Date(iso);
const span = (from: string, to: string) => ({ from: at(from), to: at(to) });
const iso = (r: { from: Date; to: Date } | null) => (r ? [r.from.toISOString(), r.to.toISOString()] : null);

describe('planRollupRead', () => {
  it('reads whole hours from rollup_hour and the partial edge hours from rollup_minute', () => {
    const plan = planRollupRead(span('2026-11-20T10:17:00Z', '2026-11-21T10:17:00Z'), true);
    expect(iso(plan.hours)).toEqual(['2026-11-20T11:00:00.000Z', '2026-11-21T10:00:00.000Z']);
    expect(plan.minutes.map(iso)).toEqual([
      ['2026-11-20T10:17:00.000Z', '2026-11-20T11:00:00.000Z'],
      ['2026-11-21T10:00:00.000Z', '2026-11-21T10:17:00.000Z'],
    ]);
  });

  it('uses minutes only inside one hour, or when hours are not allowed', () => {
    expect(planRollupRead(span('2026-11-20T10:05:00Z', '2026-11-20T10:55:00Z'), true)).toEqual({
      hours: null,
      minutes: [{ from: at('2026-11-20T10:05:00Z'), to: at('2026-11-20T10:55:00Z') }],
    });
    expect(planRollupRead(span('2026-11-20T10:00:00Z', '2026-11-20T14:00:00Z'), false).hours).toBeNull();
  });

  it('needs no minute slices for an hour-aligned range', () => {
    const plan = planRollupRead(span('2026-11-20T10:00:00Z', '2026-11-20T14:00:00Z'), true);
    expect(plan.minutes).toEqual([]);
    expect(iso(plan.hours)).toEqual(['2026-11-20T10:00:00.000Z', '2026-11-20T14:00:00.000Z']);
  });

  it('counts a minute when it starts inside the range (edges rounded up to the minute)', () => {
    expect(iso(effectiveRange(span('2026-11-20T10:00:00.001Z', '2026-11-20T11:30:59Z')))).toEqual([
      '2026-11-20T10:01:00.000Z',
      '2026-11-20T11:31:00.000Z',
    ]);
    expect(planRollupRead(span('2026-11-20T10:00:01Z', '2026-11-20T10:00:30Z'), true)).toEqual({ hours: null, minutes: [] });
  });
});

describe('traffic buckets', () => {
  it.each([
    ['5m', 5 * 60, 60],
    ['1h', 3600, 60],
    ['6h', 6 * 3600, 300],
    ['24h', 86_400, 900],
    ['7d', 7 * 86_400, 3600],
    ['30d', 30 * 86_400, 6 * 3600],
    ['400d', 400 * 86_400, 86_400],
  ])('a %s range gets %d-second buckets… (≤ 500 points)', (_label, seconds, bucket) => {
    const range = { from: new Date(0), to: new Date(seconds * 1000) };
    expect(autoBucketSeconds(range)).toBe(bucket);
    expect(seconds / bucket).toBeLessThanOrEqual(500);
  });

  it('bucket starts cover the range, aligned to the bucket size', () => {
    const starts = bucketStarts(span('2026-11-20T10:17:00Z', '2026-11-20T11:02:00Z'), 900).map((t) => new Date(t).toISOString());
    expect(starts).toEqual([
      '2026-11-20T10:15:00.000Z',
      '2026-11-20T10:30:00.000Z',
      '2026-11-20T10:45:00.000Z',
      '2026-11-20T11:00:00.000Z',
    ]);
    // Weekly buckets start on Mondays.
    expect(new Date(bucketStarts(span('2026-11-20T10:00:00Z', '2026-11-21T00:00:00Z'), 7 * 86_400)[0]!).toISOString()).toBe(
      '2026-11-16T00:00:00.000Z',
    );
  });
});

describe('time zones', () => {
  it('knows IANA names and refuses others', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('reads offsets and tells which zones can use hour rollups', () => {
    expect(zoneOffsetMinutes('Asia/Kolkata', at('2026-06-01T00:00:00Z'))).toBe(330);
    expect(zoneOffsetMinutes('America/New_York', at('2026-01-15T00:00:00Z'))).toBe(-300);
    expect(hasWholeHourOffsets('America/New_York', at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'))).toBe(true);
    expect(hasWholeHourOffsets('Asia/Kolkata', at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(false);
    // Lord Howe is +11 in (southern) summer and +10:30 in winter: a range touching winter must use minutes.
    expect(hasWholeHourOffsets('Australia/Lord_Howe', at('2026-01-01T00:00:00Z'), at('2026-01-20T00:00:00Z'))).toBe(true);
    expect(hasWholeHourOffsets('Australia/Lord_Howe', at('2026-01-01T00:00:00Z'), at('2026-07-01T00:00:00Z'))).toBe(false);
  });
});
