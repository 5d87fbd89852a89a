// <input type="datetime-local"> speaks wall-clock time without a zone; the dashboard's time zone
// is a control of its own, so custom ranges are converted between the two here.

const partsCache = new Map<string, Intl.DateTimeFormat>();

function wallParts(instant: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  let format = partsCache.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(timeZone, format);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(format.formatToParts(instant).find((p) => p.type === type)?.value);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (Seoul: +9 h). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const p = wallParts(instant, timeZone);
  const asUtc = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
  return asUtc - (instant - (instant % 1000));
}

/** "2026-11-25T10:00" read in `timeZone` → ISO instant; null when the text is not a valid time. */
export function wallTimeToIso(wall: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const naive = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (!Number.isFinite(naive)) return null;
  // Two passes settle the offset across a daylight-saving change.
  let instant = naive - zoneOffsetMs(naive, timeZone);
  instant = naive - zoneOffsetMs(instant, timeZone);
  return new Date(instant).toISOString();
}

/** ISO instant → "2026-11-25T19:00" as the wall clock in `timeZone` shows it. */
export function isoToWallTime(iso: string, timeZone: string): string {
  const p = wallParts(Date.parse(iso), timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}`;
}
