import type pg from 'pg';
import { topRawValues, type RawTopValue } from './raw-top.ts';
import { effectiveRange, readRollups, totalCount, type AnalyticsFilter } from './rollup-query.ts';
import { compareText, ratio } from './request-stats.ts';
import type { ResolvedRange } from './time-range.ts';

export interface PeriodTraffic {
  requests: number;
  errors: number;
  errorRate: number;
  /** Share of all requests in the range. */
  share: number;
}

export interface HourTraffic extends PeriodTraffic {
  /** 0..23 in the zone. */
  hour: number;
}

export interface WeekdayTraffic extends PeriodTraffic {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  name: string;
}

export interface ValueShare {
  value: string;
  count: number;
  errors: number;
  share: number;
}

export interface Patterns {
  timeZone: string;
  total: number;
  byHour: HourTraffic[];
  byWeekday: WeekdayTraffic[];
  /** Busiest hours of day, busiest first (at most 3, only hours with traffic). */
  peakHours: number[];
  methods: ValueShare[];
  topUserAgents: ValueShare[];
  topClientIps: ValueShare[];
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const PEAK_HOURS = 3;

const period = (requests: number, errors: number, total: number): PeriodTraffic => ({
  requests,
  errors,
  errorRate: ratio(errors, requests),
  share: ratio(requests, total),
});

/**
 * When the traffic comes: by hour of day and by weekday in an IANA zone, the peak hours and the
 * method mix (all from rollups), plus the top user agents and client IPs (from raw logs, limited).
 */
export async function getPatterns(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; tz: string; limit: number },
): Promise<Patterns> {
  const raw = { ...input.filter, ...effectiveRange(input.range) };
  // Two raw-log scans side by side beat one GROUPING SETS scan (measured at 1M rows: ~0.45 s vs ~1 s).
  const [rows, agents, ips] = await Promise.all([
    readRollups(pool, {
      range: input.range,
      filter: input.filter,
      tz: input.tz,
      groupBy: ['hourOfDay', 'weekday', 'method'],
      histograms: false,
    }),
    topRawValues(pool, 'user_agent', raw, input.limit),
    topRawValues(pool, 'ip_address', raw, input.limit),
  ]);
  const total = totalCount(rows);
  const hours = Array.from({ length: 24 }, () => ({ requests: 0, errors: 0 }));
  const days = Array.from({ length: 7 }, () => ({ requests: 0, errors: 0 }));
  const methods = new Map<string, { count: number; errors: number }>();
  for (const r of rows) {
    const errors = r.errors4xx + r.errors5xx;
    for (const slot of [hours[r.hourOfDay], days[r.weekday - 1]]) {
      if (slot) {
        slot.requests += r.count;
        slot.errors += errors;
      }
    }
    const m = methods.get(r.method) ?? { count: 0, errors: 0 };
    m.count += r.count;
    m.errors += errors;
    methods.set(r.method, m);
  }
  const byHour = hours.map((h, hour) => ({ hour, ...period(h.requests, h.errors, total) }));
  const share = (v: RawTopValue): ValueShare => ({ ...v, share: ratio(v.count, total) });
  return {
    timeZone: input.tz,
    total,
    byHour,
    byWeekday: days.map((d, i) => ({ weekday: i + 1, name: WEEKDAYS[i] ?? '', ...period(d.requests, d.errors, total) })),
    peakHours: byHour
      .filter((h) => h.requests > 0)
      .sort((a, b) => b.requests - a.requests || a.hour - b.hour)
      .slice(0, PEAK_HOURS)
      .map((h) => h.hour),
    methods: [...methods]
      .map(([value, m]) => ({ value, count: m.count, errors: m.errors, share: ratio(m.count, total) }))
      .sort((a, b) => b.count - a.count || compareText(a.value, b.value)),
    topUserAgents: agents.map(share),
    topClientIps: ips.map(share),
  };
}
