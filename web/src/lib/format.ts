import type { Locale } from './controls.ts';

export const INTL_LOCALE: Record<Locale, string> = { en: 'en-US', ko: 'ko-KR' };

/**
 * Number and date formatting for one locale and time zone, all through Intl so Korean gets its
 * own conventions (1.2천, 오후 3:05) and English its own (1.2k, 3:05 PM).
 */
export interface Formatters {
  locale: Locale;
  timeZone: string;
  /** Exact integer with grouping: 12,345. */
  integer(value: number): string;
  /** Compact count: 1.2k / 1.2천; exact below 1,000. */
  count(value: number): string;
  /** Plain decimal with up to `digits` fraction digits. */
  decimal(value: number, digits?: number): string;
  /** Decimal with its sign: +1.2 / −0.4. */
  signed(value: number, digits?: number): string;
  /** Latency: 0.42 ms, 12.5 ms, 840 ms, 1.8 s. */
  ms(value: number | null | undefined): string;
  /** Ratio 0..1 as a percentage: 3.4%. */
  percent(ratio: number | null | undefined, digits?: number): string;
  /** Signed change, as a ratio: +12.5% / −3.0%. */
  change(ratio: number): string;
  /** Requests per second: 12.3/s. */
  perSecond(value: number): string;
  bytes(value: number | null | undefined): string;
  /** Date and time with seconds, in the chosen zone. */
  dateTime(value: string | number | Date): string;
  /** Time of day for chart axes; includes the date when `withDate`. */
  axisTime(value: string | number | Date, withDate: boolean): string;
  /** Hour of day label: 13:00 / 오후 1시. */
  hour(hour: number): string;
  /** Weekday name from 0 = Sunday. */
  weekday(day: number): string;
  /** "3 min ago" / "3분 전". */
  relative(value: string | number | Date, now?: number): string;
  /** A length of time: 45 sec, 3 min, 90 min, 2.5 hr (minutes up to two hours unless whole hours). */
  duration(ms: number): string;
  /** A span of time in the chosen zone, the shared date written once: "Nov 25, 10:05 – 10:08". */
  timeWindow(from: string | number | Date, to: string | number | Date): string;
}

const DASH = '–';

export function createFormatters(locale: Locale, timeZone: string): Formatters {
  const tag = INTL_LOCALE[locale];
  const integer = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(tag, { notation: 'compact', maximumFractionDigits: 1 });
  const ms1 = new Intl.NumberFormat(tag, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 1 });
  const ms2 = new Intl.NumberFormat(tag, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 2 });
  const ms0 = new Intl.NumberFormat(tag, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 });
  const sec = new Intl.NumberFormat(tag, { style: 'unit', unit: 'second', unitDisplay: 'narrow', maximumFractionDigits: 1 });
  const min = new Intl.NumberFormat(tag, { style: 'unit', unit: 'minute', unitDisplay: 'narrow', maximumFractionDigits: 1 });
  const dateTime = new Intl.DateTimeFormat(tag, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const axisTime = new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const axisDate = new Intl.DateTimeFormat(tag, { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const hour = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', hour: 'numeric', hourCycle: 'h23' });
  const weekday = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', weekday: 'short' });
  const relative = new Intl.RelativeTimeFormat(tag, { numeric: 'auto', style: 'short' });
  const durationUnit = (unit: 'second' | 'minute' | 'hour') => new Intl.NumberFormat(tag, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 });
  const durations = { second: durationUnit('second'), minute: durationUnit('minute'), hour: durationUnit('hour') };
  const windowFormat = new Intl.DateTimeFormat(tag, { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const percentFormats = new Map<number, Intl.NumberFormat>();
  const percentFormat = (digits: number) => {
    let f = percentFormats.get(digits);
    if (!f) {
      f = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 });
      percentFormats.set(digits, f);
    }
    return f;
  };
  const change = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1, minimumFractionDigits: 1, signDisplay: 'exceptZero' });
  const isNum = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

  return {
    locale,
    timeZone,
    integer: (v) => integer.format(v),
    count(v) {
      if (Math.abs(v) < 1000) return integer.format(v);
      // English CLDR writes "1.2K"; the lower-case k is the dashboard convention (1.2k).
      const text = compact.format(v);
      return locale === 'en' ? text.replace('K', 'k') : text;
    },
    decimal: (v, digits = 1) => new Intl.NumberFormat(tag, { maximumFractionDigits: digits }).format(v),
    signed: (v, digits = 1) => new Intl.NumberFormat(tag, { maximumFractionDigits: digits, minimumFractionDigits: digits, signDisplay: 'exceptZero' }).format(v),
    ms(v) {
      if (!isNum(v)) return DASH;
      if (Math.abs(v) >= 120_000) return min.format(v / 60_000);
      if (Math.abs(v) >= 10_000) return sec.format(v / 1000);
      if (Math.abs(v) >= 100) return ms0.format(v);
      if (Math.abs(v) < 1) return ms2.format(v);
      return ms1.format(v);
    },
    percent: (v, digits = 1) => (isNum(v) ? percentFormat(digits).format(v) : DASH),
    change: (v) => change.format(v),
    perSecond(v) {
      const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
      return `${new Intl.NumberFormat(tag, { maximumFractionDigits: digits }).format(v)}/s`;
    },
    bytes(v) {
      if (!isNum(v)) return DASH;
      const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
      let value = v;
      let i = 0;
      while (value >= 1024 && i < units.length - 1) {
        value /= 1024;
        i += 1;
      }
      return new Intl.NumberFormat(tag, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
    },
    dateTime: (v) => dateTime.format(new Date(v)),
    axisTime: (v, withDate) => (withDate ? axisDate : axisTime).format(new Date(v)),
    // English CLDR gives a bare "13"; an SRE reads "13:00" faster. Korean's "13시" is already clear.
    hour: (h) => (locale === 'en' ? `${String(h).padStart(2, '0')}:00` : hour.format(Date.UTC(2026, 0, 1, h))),
    weekday: (d) => weekday.format(Date.UTC(2026, 0, 4 + d)),
    relative(v, now = Date.now()) {
      const seconds = Math.round((new Date(v).getTime() - now) / 1000);
      const abs = Math.abs(seconds);
      if (abs < 60) return relative.format(seconds, 'second');
      if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
      if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
      return relative.format(Math.round(seconds / 86_400), 'day');
    },
    duration(v) {
      const abs = Math.abs(v);
      if (abs < 60_000) return durations.second.format(Math.round(v / 1000));
      // Whole hours read as hours (a 1-hour bucket is "1 hr", not "60 min").
      if (abs < 7_200_000 && v % 3_600_000 !== 0) return durations.minute.format(Math.round(v / 6000) / 10);
      return durations.hour.format(Math.round(v / 360_000) / 10);
    },
    timeWindow: (from, to) => windowFormat.formatRange(new Date(from), new Date(to)),
  };
}
