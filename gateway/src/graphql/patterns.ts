import { builder } from './builder.ts';
import { getPatterns, type HourTraffic, type Patterns, type WeekdayTraffic } from '../analytics/patterns.ts';
import { effectiveRange } from '../storage/rollup-read.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { analyticsArgs, analyticsInput, intArg, MAX_LIMIT, tzArg, ValueShareRef } from './analytics-common.ts';
import { RawLogSampleRef } from './raw-sample.ts';
import { ResolvedTimeRange } from './time-range.ts';

const HourTrafficRef = builder.objectRef<HourTraffic>('HourOfDayTraffic').implement({
  description: 'Requests in one hour of the day (summed over every day of the range).',
  fields: (t) => ({
    hour: t.exposeInt('hour', { description: 'Hour of day, 0..23, in the requested zone.' }),
    requests: t.exposeInt('requests', { description: 'Requests in this hour of day.' }),
    errors: t.exposeInt('errors', { description: 'Of those, answered 4xx or 5xx.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'errors / requests (0..1).' }),
    share: t.exposeFloat('share', { description: 'requests / all requests in the range (0..1).' }),
  }),
});

const WeekdayTrafficRef = builder.objectRef<WeekdayTraffic>('WeekdayTraffic').implement({
  description: 'Requests on one day of the week (summed over the range).',
  fields: (t) => ({
    weekday: t.exposeInt('weekday', { description: 'ISO weekday in the requested zone: 1 = Monday … 7 = Sunday.' }),
    name: t.exposeString('name', { description: 'English day name, e.g. "Monday".' }),
    requests: t.exposeInt('requests', { description: 'Requests on this weekday.' }),
    errors: t.exposeInt('errors', { description: 'Of those, answered 4xx or 5xx.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'errors / requests (0..1).' }),
    share: t.exposeFloat('share', { description: 'requests / all requests in the range (0..1).' }),
  }),
});

type PatternsResult = Patterns & { range: ResolvedRange };

const PatternsRef = builder.objectRef<PatternsResult>('TrafficPatterns').implement({
  description: 'When and how the API is used: hour-of-day and weekday profile, peak hours, method mix, top user agents and client IPs.',
  fields: (t) => ({
    range: t.field({ type: ResolvedTimeRange, description: 'The range covered, in whole minutes.', resolve: (r) => r.range }),
    timeZone: t.exposeString('timeZone', { description: 'IANA zone the hours and weekdays are in.' }),
    total: t.exposeInt('total', { description: 'All requests in scope.' }),
    byHour: t.field({ type: [HourTrafficRef], description: 'All 24 hours of day, 0 first.', resolve: (p) => p.byHour }),
    byWeekday: t.field({ type: [WeekdayTrafficRef], description: 'All 7 weekdays, Monday first.', resolve: (p) => p.byWeekday }),
    peakHours: t.field({ type: ['Int'], description: 'The busiest hours of day (up to 3), busiest first.', resolve: (p) => p.peakHours }),
    methods: t.field({ type: [ValueShareRef], description: 'HTTP methods by requests, most first.', resolve: (p) => p.methods }),
    topUserAgents: t.field({
      type: [ValueShareRef],
      description: 'User agents with most requests, counted from raw logs over `topSample` (share = of those records).',
      resolve: (p) => p.topUserAgents,
    }),
    topClientIps: t.field({
      type: [ValueShareRef],
      description: 'Client IPs with most requests, counted from raw logs over `topSample` (share = of those records).',
      resolve: (p) => p.topClientIps,
    }),
    topSample: t.field({
      type: RawLogSampleRef,
      description: 'The raw records topUserAgents and topClientIps were counted over: all of the range, or a bounded sample of it.',
      resolve: (p) => p.topSample,
    }),
  }),
});

builder.queryField('patterns', (t) =>
  t.field({
    type: PatternsRef,
    description: 'Traffic by hour of day and weekday in a time zone, peak hours, method mix, top user agents and client IPs.',
    args: {
      ...analyticsArgs(t.arg),
      tz: t.arg.string({ required: false, description: 'IANA time zone, e.g. "America/New_York" (default: the gateway TZ setting).' }),
      limit: t.arg.int({ required: false, description: `Top user agents and client IPs to return (default 10, at most ${MAX_LIMIT}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      const tz = tzArg(args.tz, ctx);
      const limit = intArg(args.limit, 'limit', 10, 1, MAX_LIMIT);
      const patterns = await getPatterns(ctx.db.pool, { range, filter, tz, limit, maxRows: ctx.config.rawSampleRows, citus: ctx.db.citus });
      return { range: effectiveRange(range), ...patterns };
    },
  }),
);
