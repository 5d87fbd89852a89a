// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { isoToWallTime, wallTimeToIso, zoneOffsetMs } from './zoned-time.ts';

describe('wall-clock time in a zone', () => {
  it('converts Seoul wall time to an instant and back', () => {
    expect(wallTimeToIso('2026-11-25T10:00', 'Asia/Seoul')).toBe('2026-11-25T01:00:00.000Z');
    expect(isoToWallTime('2026-11-25T01:00:00.000Z', 'Asia/Seoul')).toBe('2026-11-25T10:00');
    expect(zoneOffsetMs(Date.parse('2026-11-25T01:00:00Z'), 'Asia/Seoul')).toBe(9 * 3_600_000);
  });

  it('handles daylight saving time', () => {
    expect(wallTimeToIso('2026-07-01T12:00', 'Europe/London')).toBe('2026-07-01T11:00:00.000Z');
    expect(wallTimeToIso('2026-12-01T12:00', 'Europe/London')).toBe('2026-12-01T12:00:00.000Z');
    expect(wallTimeToIso('2026-03-08T03:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
  });

  it('rejects text that is not a datetime-local value', () => {
    expect(wallTimeToIso('yesterday', 'UTC')).toBeNull();
    expect(wallTimeToIso('', 'UTC')).toBeNull();
  });
});
