import { zoneOffsetMs } from '../../lib/zoned-time.ts';

/**
 * The most recent clock hour `hour` (0–23, in `timeZone`) that overlaps [from, to), clamped to
 * the range: where a heat-map cell ("errors at 14:00") drills down to in the logs explorer.
 * Null when the range never reaches that hour.
 */
export function latestHourWindow(hour: number, timeZone: string, from: number, to: number): { from: string; to: string } | null {
  const HOUR = 3_600_000;
  // Walk back over wall-clock hours from the end of the range; 25 steps cover a DST day.
  let cursor = to - 1;
  for (let i = 0; i < 26 && cursor >= from - HOUR; i += 1) {
    const offset = zoneOffsetMs(cursor, timeZone);
    const wall = cursor + offset;
    const wallHour = new Date(wall).getUTCHours();
    const start = wall - (wall % HOUR) - offset;
    if (wallHour === hour) {
      const windowFrom = Math.max(start, from);
      const windowTo = Math.min(start + HOUR, to);
      if (windowFrom < windowTo) return { from: new Date(windowFrom).toISOString(), to: new Date(windowTo).toISOString() };
      return null;
    }
    cursor = start - 1;
  }
  return null;
}
