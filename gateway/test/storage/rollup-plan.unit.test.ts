import { describe, expect, it } from 'vitest';
import { effectiveRange, planRollupRead, type PlanLevel, type RollupSlice } from '../../src/storage/rollup-read.ts';
import { hasOffsetsMultipleOf, hasWholeHourOffsets, isValidTimeZone, zoneOffsetMinutes } from '../../src/storage/time-bucket.ts';
import { autoBucketSeconds, bucketStarts } from '../../src/analytics/traffic.ts';

const at = (iso: string) => new Date(iso);
const span = (from: string, to: string) => ({ from: at(from), to: at(to) });
const iso = (r: { from: Date; to: Date } | null) => (r ? [r.from.toISOString(), r.to.toISOString()] : null);

const HOUR: PlanLevel = { table: 'rollup_hour', seconds: 3600, derived: false };
const ENDPOINT_HOUR: PlanLevel = { table: 'rollup_endpoint_hour', seconds: 3600, derived: true };
const ENDPOINT_15M: PlanLevel = { table: 'rollup_endpoint_15m', seconds: 900, derived: true };
const ENDPOINT_5M: PlanLevel = { table: 'rollup_endpoint_5m', seconds: 300, derived: true };
const ALL = [ENDPOINT_HOUR, HOUR, ENDPOINT_15M, ENDPOINT_5M];
const slices = (plan: RollupSlice[]) => plan.map((s) => [s.table, s.from.toISOString().slice(11, 16), s.to.toISOString().slice(11, 16)]);

describe('planRollupRead', () => {
  it('reads whole hours from rollup_hour and the partial edge hours from rollup_minute', () => {
    const plan = planRollupRead(span('2026-11-20T10:17:00Z', '2026-11-21T10:17:00Z'), [HOUR]);
    expect(plan.map((s) => [s.table, ...iso(s)!])).toEqual([
      ['rollup_hour', '2026-11-20T11:00:00.000Z', '2026-11-21T10:00:00.000Z'],
      ['rollup_minute', '2026-11-20T10:17:00.000Z', '2026-11-20T11:00:00.000Z'],
      ['rollup_minute', '2026-11-21T10:00:00.000Z', '2026-11-21T10:17:00.000Z'],
    ]);
  });

  it('uses minutes only inside one hour, or when no coarser level is allowed', () => {
    expect(slices(planRollupRead(span('2026-11-20T10:05:00Z', '2026-11-20T10:55:00Z'), [HOUR]))).toEqual([
      ['rollup_minute', '10:05', '10:55'],
    ]);
    expect(slices(planRollupRead(span('2026-11-20T10:00:00Z', '2026-11-20T14:00:00Z'), []))).toEqual([['rollup_minute', '10:00', '14:00']]);
  });

  it('needs no minute slices for an hour-aligned range', () => {
    expect(slices(planRollupRead(span('2026-11-20T10:00:00Z', '2026-11-20T14:00:00Z'), [HOUR]))).toEqual([
      ['rollup_hour', '10:00', '14:00'],
    ]);
  });

  it('counts a minute when it starts inside the range (edges rounded up to the minute)', () => {
    expect(iso(effectiveRange(span('2026-11-20T10:00:00.001Z', '2026-11-20T11:30:59Z')))).toEqual([
      '2026-11-20T10:01:00.000Z',
      '2026-11-20T11:31:00.000Z',
    ]);
    expect(planRollupRead(span('2026-11-20T10:00:01Z', '2026-11-20T10:00:30Z'), [HOUR])).toEqual([]);
  });

  it('fills the edges with the coarsest endpoint level that fits: hours, then 15 and 5 minutes, then minutes', () => {
    expect(slices(planRollupRead(span('2026-11-20T10:17:00Z', '2026-11-20T13:52:00Z'), ALL))).toEqual([
      ['rollup_endpoint_hour', '11:00', '13:00'],
      ['rollup_endpoint_15m', '10:30', '11:00'],
      ['rollup_endpoint_15m', '13:00', '13:45'],
      ['rollup_endpoint_5m', '10:20', '10:30'],
      ['rollup_endpoint_5m', '13:45', '13:50'],
      ['rollup_minute', '10:17', '10:20'],
      ['rollup_minute', '13:50', '13:52'],
    ]);
  });

  it('never takes a derived bucket that holds a dirty 5-minute bucket: finer levels, rollup_hour or minutes cover it', () => {
    const dirty = new Set([at('2026-11-20T11:40:00Z').getTime(), at('2026-11-20T13:35:00Z').getTime()]);
    expect(slices(planRollupRead(span('2026-11-20T10:00:00Z', '2026-11-20T14:00:00Z'), ALL, dirty))).toEqual([
      ['rollup_endpoint_hour', '10:00', '11:00'],
      ['rollup_endpoint_hour', '12:00', '13:00'],
      ['rollup_hour', '11:00', '12:00'],
      ['rollup_hour', '13:00', '14:00'],
    ]);
    // Without rollup_hour (buckets shorter than an hour): 15-minute buckets around the marks, 5-minute ones beside them, minutes for the marked ones.
    expect(slices(planRollupRead(span('2026-11-20T11:00:00Z', '2026-11-20T12:00:00Z'), [ENDPOINT_15M, ENDPOINT_5M], dirty))).toEqual([
      ['rollup_endpoint_15m', '11:00', '11:30'],
      ['rollup_endpoint_15m', '11:45', '12:00'],
      ['rollup_endpoint_5m', '11:30', '11:40'],
      ['rollup_minute', '11:40', '11:45'],
    ]);
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
    // Kolkata can use 5- and 15-minute rollups; Nepal (+5:45) 5- and 15- but not 30-minute ones.
    expect(hasOffsetsMultipleOf(15, 'Asia/Kolkata', at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(true);
    expect(hasOffsetsMultipleOf(15, 'Asia/Kathmandu', at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(true);
    expect(hasOffsetsMultipleOf(30, 'Asia/Kathmandu', at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(false);
  });
});
