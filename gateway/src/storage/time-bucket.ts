/**
 * The one place time bucketing is expressed in SQL: fixed-size buckets (optionally aligned to a
 * time zone's wall clock), hour of day and weekday. Every value (interval, zone) is bound as a
 * parameter; only the column name, which callers take from a fixed list, is spliced in.
 */
export type TimeBucket =
  { kind: 'interval'; seconds: number; tz?: string | null } | { kind: 'hourOfDay'; tz: string } | { kind: 'weekday'; tz: string };

/** Binds a value and returns its placeholder ($n). */
export type BindParam = (value: unknown) => string;

/**
 * Buckets start at a Monday midnight (2000-01-03) so day and week buckets line up with calendars.
 * In UTC that origin is also aligned to every divisor of a day, so minute and hour buckets are
 * the usual wall-clock ones.
 */
const BUCKET_ORIGIN = '2000-01-03 00:00:00';

/** The origin in epoch milliseconds (UTC), for bucket starts computed in JavaScript. */
export const BUCKET_ORIGIN_MS = Date.parse(`${BUCKET_ORIGIN.replace(' ', 'T')}Z`);

/** The origin as a UTC timestamptz literal, for date_bin over stored timestamps. */
export const BUCKET_ORIGIN_SQL = `timestamptz '${BUCKET_ORIGIN}+00'`;

/**
 * SQL for the bucket of a timestamptz `column`:
 * - interval: the bucket start (timestamptz). With a zone, buckets follow that zone's wall clock
 *   (so a 1d bucket is a local day); across a DST fall-back the repeated local hour is one bucket.
 * - hourOfDay: 0..23 in the zone. weekday: ISO 1 (Monday)..7 (Sunday) in the zone.
 */
export function bucketSql(column: string, bucket: TimeBucket, param: BindParam): string {
  switch (bucket.kind) {
    case 'interval': {
      const step = `make_interval(secs => ${param(bucket.seconds)}::float8)`;
      if (!bucket.tz) return `date_bin(${step}, ${column}, ${BUCKET_ORIGIN_SQL})`;
      const tz = param(bucket.tz);
      return `(date_bin(${step}, ${column} AT TIME ZONE ${tz}::text, timestamp '${BUCKET_ORIGIN}') AT TIME ZONE ${tz}::text)`;
    }
    case 'hourOfDay':
      return `extract(hour FROM ${column} AT TIME ZONE ${param(bucket.tz)}::text)::int`;
    case 'weekday':
      return `extract(isodow FROM ${column} AT TIME ZONE ${param(bucket.tz)}::text)::int`;
  }
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

function offsetFormatter(tz: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    offsetFormatters.set(tz, f);
  }
  return f;
}

/** True when `tz` names a time zone this runtime (and so, in practice, PostgreSQL) knows. */
export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    offsetFormatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** UTC offset of `tz` at `at`, in minutes (e.g. 330 for Asia/Kolkata). */
export function zoneOffsetMinutes(tz: string, at: Date): number {
  const name =
    offsetFormatter(tz)
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

const DAY_MS = 86_400_000;

/**
 * Whether `tz` is a whole multiple of `minutes` from UTC throughout [from, to] (sampled daily
 * and at both ends). Only then can rollup buckets of that width be assigned to local hours and
 * days without error: zones such as Asia/Kolkata (+5:30) cannot use hour rollups, but can use
 * 5- and 15-minute ones.
 */
export function hasOffsetsMultipleOf(minutes: number, tz: string, from: Date, to: Date): boolean {
  if (tz === 'UTC') return true;
  for (let t = from.getTime(); ; t += DAY_MS) {
    const at = Math.min(t, to.getTime());
    if (zoneOffsetMinutes(tz, new Date(at)) % minutes !== 0) return false;
    if (at >= to.getTime()) return true;
  }
}

/** Whether `tz` is a whole number of hours from UTC throughout [from, to] (see hasOffsetsMultipleOf). */
export function hasWholeHourOffsets(tz: string, from: Date, to: Date): boolean {
  return hasOffsetsMultipleOf(60, tz, from, to);
}
