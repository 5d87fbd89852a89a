// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { bucketFor, presetDurationMs, previousPeriod, resolveRange, toTimeRangeInput } from './time-range.ts';

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('time ranges', () => {
  it('turns a selection into the GraphQL TimeRange input', () => {
    expect(toTimeRangeInput({ kind: 'preset', preset: '15m' })).toEqual({ last: '15m' });
    expect(toTimeRangeInput({ kind: 'custom', from: 'a', to: 'b' })).toEqual({ from: 'a', to: 'b' });
  });

  it('knows each preset’s length', () => {
    expect(presetDurationMs('5m')).toBe(300_000);
    expect(presetDurationMs('24h')).toBe(86_400_000);
    expect(presetDurationMs('30d')).toBe(30 * 86_400_000);
  });

  it('gives the previous period of the same length', () => {
    expect(previousPeriod({ kind: 'preset', preset: '1h' }, NOW)).toEqual({ from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T11:00:00.000Z' });
    expect(previousPeriod({ kind: 'custom', from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' }, NOW)).toEqual({
      from: '2026-11-19T00:00:00.000Z',
      to: '2026-11-20T00:00:00.000Z',
    });
    expect(resolveRange({ kind: 'preset', preset: '5m' }, NOW)).toEqual({ from: NOW - 300_000, to: NOW });
  });

  it('picks buckets that keep charts readable', () => {
    expect(bucketFor({ kind: 'preset', preset: '1h' }, NOW)).toBe('1m');
    expect(bucketFor({ kind: 'preset', preset: '6h' }, NOW)).toBe('5m');
    expect(bucketFor({ kind: 'preset', preset: '24h' }, NOW)).toBe('15m');
    expect(bucketFor({ kind: 'preset', preset: '7d' }, NOW)).toBe('1h');
    expect(bucketFor({ kind: 'preset', preset: '30d' }, NOW)).toBe('6h');
  });
});
