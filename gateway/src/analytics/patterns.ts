import type pg from 'pg';
import { DEFAULT_RAW_SAMPLE_ROWS } from '../storage/raw-sample-plan.ts';
import { rawSample, topRawValues, type RawSample, type RawTopValue } from '../storage/raw-top.ts';
import { readRollups, totalCount, type AnalyticsFilter } from '../storage/rollup-read.ts';
import { ratio } from './request-stats.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { compareText } from '../domain/endpoint.ts';

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
  /** Counted over `topSample` (share = of those records). */
  topUserAgents: ValueShare[];
  topClientIps: ValueShare[];
  topSample: RawSample;
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
 * method mix (all from rollups, exact), plus the top user agents and client IPs (from raw logs:
 * every record of the range up to `maxRows`, a spread sample of that many past it).
 */
export async function getPatterns(
  pool: pg.Pool,
  input: { range: ResolvedRange; filter?: AnalyticsFilter; tz: string; limit: number; maxRows?: number; citus: boolean },
): Promise<Patterns> {
  const [rows, raw] = await Promise.all([
    readRollups(pool, {
      range: input.range,
      filter: input.filter,
      tz: input.tz,
      groupBy: ['hourOfDay', 'weekday', 'method'],
      histograms: false,
    }),
    topRawValues(pool, {
      range: input.range,
      filter: input.filter ?? {},
      columns: ['user_agent', 'ip_address'],
      limit: input.limit,
      maxRows: input.maxRows ?? DEFAULT_RAW_SAMPLE_ROWS,
      citus: input.citus,
    }),
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
  const share = (v: RawTopValue): ValueShare => ({ ...v, share: ratio(v.count, raw.rows) });
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
    topUserAgents: raw.tops.user_agent.map(share),
    topClientIps: raw.tops.ip_address.map(share),
    topSample: rawSample(raw, total),
  };
}
