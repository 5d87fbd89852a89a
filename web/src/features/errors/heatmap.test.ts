// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { latestHourWindow } from './heatmap.ts';

const at = (iso: string) => Date.parse(iso);

describe('heat-map cell drill-down window', () => {
  it('finds the latest occurrence of the hour in the zone, within the range', () => {
    // 24 h ending 12:30 UTC = 21:30 in Seoul; 14:00 Seoul = 05:00 UTC that day.
    expect(latestHourWindow(14, 'Asia/Seoul', at('2026-11-24T12:30:00Z'), at('2026-11-25T12:30:00Z'))).toEqual({
      from: '2026-11-25T05:00:00.000Z',
      to: '2026-11-25T06:00:00.000Z',
    });
  });

  it('clamps to the range at both ends', () => {
    expect(latestHourWindow(12, 'UTC', at('2026-11-25T11:00:00Z'), at('2026-11-25T12:20:00Z'))).toEqual({
      from: '2026-11-25T12:00:00.000Z',
      to: '2026-11-25T12:20:00.000Z',
    });
    expect(latestHourWindow(10, 'UTC', at('2026-11-25T10:40:00Z'), at('2026-11-25T12:00:00Z'))).toEqual({
      from: '2026-11-25T10:40:00.000Z',
      to: '2026-11-25T11:00:00.000Z',
    });
  });

  it('is null when the range never reaches that hour', () => {
    expect(latestHourWindow(3, 'UTC', at('2026-11-25T10:00:00Z'), at('2026-11-25T12:00:00Z'))).toBeNull();
  });

  it('works in zones with half-hour offsets', () => {
    // 10:00 in Kolkata (UTC+5:30) = 04:30 UTC.
    expect(latestHourWindow(10, 'Asia/Kolkata', at('2026-11-25T00:00:00Z'), at('2026-11-25T12:00:00Z'))).toEqual({
      from: '2026-11-25T04:30:00.000Z',
      to: '2026-11-25T05:30:00.000Z',
    });
  });
});
