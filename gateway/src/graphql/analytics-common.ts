import type { ArgBuilder } from '@pothos/core';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InvalidInputError } from '../domain/errors.ts';
import type { GatewayContext } from '../context.ts';
import type { LatencySummary } from '../storage/histogram.ts';
import type { RequestStats } from '../analytics/request-stats.ts';
import type { ValueShare } from '../analytics/patterns.ts';
import type { AnalyticsFilter } from '../storage/rollup-read.ts';
import { isValidTimeZone } from '../storage/time-bucket.ts';
import { parseDuration, RangeInputError, type RangeInput, type ResolvedRange } from '../domain/time-range.ts';
import { MAX_POINTS } from '../analytics/traffic.ts';
import { rangeArg, TimeRange } from './time-range.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** Limits on list sizes, so a query cannot ask the database for unbounded work. */
export const MAX_LIMIT = 1000;
export const MAX_FIRST = 500;

/** A client mistake in an argument, reported as BAD_USER_INPUT naming the argument (see error-mapping.ts). */
export function badInput(message: string, argumentName: string): InvalidInputError {
  return new InvalidInputError(message, argumentName);
}

/** Validates a value with zod, turning the first issue into a BAD_USER_INPUT error for `argumentName`. */
function parseArg<T>(schema: z.ZodType<T>, value: unknown, argumentName: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw badInput(`${argumentName}: ${result.error.issues[0]?.message ?? 'invalid value'}`, argumentName);
}

/** An integer argument in [min, max], `fallback` when omitted. */
export function intArg(value: number | null | undefined, argumentName: string, fallback: number, min: number, max: number): number {
  const schema = z
    .int({ error: 'must be an integer' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
  return parseArg(schema, value ?? fallback, argumentName);
}

// Zone names only: PostgreSQL reads "+05:30" as a POSIX offset (sign inverted), so offsets are refused.
const timeZoneSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/, { error: 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"' })
  .refine(isValidTimeZone, { error: 'is not a known IANA time zone (e.g. "America/New_York", "UTC")' });

/** The `tz` argument: an IANA zone, defaulting to the gateway's TZ setting. */
export function tzArg(value: string | null | undefined, ctx: GatewayContext): string {
  return parseArg(timeZoneSchema, value ?? ctx.config.timeZone, 'tz');
}

const MAX_BUCKET_MS = 366 * 86_400_000;

/** The optional `bucket` argument ("5m", "1h"…): whole minutes, at most MAX_POINTS buckets in the range. */
export function bucketArg(value: string | null | undefined, range: ResolvedRange): number | undefined {
  if (value == null) return undefined;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    if (error instanceof RangeInputError) throw badInput(`bucket: ${error.message}`, 'bucket');
    throw error;
  }
  if (ms < 60_000 || ms % 60_000 !== 0) throw badInput('bucket: must be a whole number of minutes (e.g. "1m", "15m", "1h")', 'bucket');
  // bucketSeconds is a GraphQL Int: a bucket of years would not even serialise.
  if (ms > MAX_BUCKET_MS) throw badInput('bucket: must be at most 366d', 'bucket');
  const points = (range.to.getTime() - range.from.getTime()) / ms;
  if (points > MAX_POINTS)
    throw badInput(
      `bucket: "${value}" would give ${Math.ceil(points)} points; use a larger bucket (at most ${MAX_POINTS} points)`,
      'bucket',
    );
  return ms / 1000;
}

/** The arguments every range analysis takes: `range` plus the optional service/route/method filter. */
export function analyticsArgs(arg: ArgBuilder<Types>) {
  return {
    range: arg({ type: TimeRange, required: true, description: 'The time range to analyse.' }),
    service: arg.string({ required: false, description: 'Only this service.' }),
    route: arg.string({ required: false, description: 'Only this templated route, e.g. /api/users/:id.' }),
    method: arg.string({ required: false, description: 'Only this HTTP method (case-insensitive).' }),
  };
}

interface AnalyticsArgValues {
  range: RangeInput;
  service?: string | null;
  route?: string | null;
  method?: string | null;
}

/** Resolves the common arguments into a range and a filter (BAD_USER_INPUT on mistakes). */
export function analyticsInput(args: AnalyticsArgValues, ctx: GatewayContext): { range: ResolvedRange; filter: AnalyticsFilter } {
  return { range: rangeArg(args.range, ctx), filter: { service: args.service, route: args.route, method: args.method } };
}

const LatencyStatsRef = builder.objectRef<LatencySummary>('LatencyStats').implement({
  description:
    'Latency of a set of requests in milliseconds. avg and max are exact; p50/p95/p99 come from a log-spaced histogram, within 3.9 % of the exact value for any latency from 0.1 ms to 24 h (the longest ingest accepts). All null when there were no requests.',
  fields: (t) => ({
    avg: t.exposeFloat('avg', { nullable: true, description: 'Mean latency (ms), exact.' }),
    p50: t.exposeFloat('p50', { nullable: true, description: 'Median latency (ms).' }),
    p95: t.exposeFloat('p95', { nullable: true, description: '95th percentile latency (ms).' }),
    p99: t.exposeFloat('p99', { nullable: true, description: '99th percentile latency (ms).' }),
    max: t.exposeFloat('max', { nullable: true, description: 'Slowest request (ms), exact.' }),
  }),
});

/**
 * Latency as a `latency` object plus the same five figures flat on the row, so both
 * `{ latency { p95 } }` and `{ p95 }` work (the flat form reads well in tables and filters).
 */
export function latencyFields<P extends { latency: LatencySummary }>(t: PothosSchemaTypes.ObjectFieldBuilder<Types, P>) {
  return {
    latency: t.field({ type: LatencyStatsRef, description: 'Latency figures (avg, p50, p95, p99, max) in ms.', resolve: (p) => p.latency }),
    avg: t.float({ nullable: true, description: 'Mean latency (ms); same as latency.avg.', resolve: (p) => p.latency.avg }),
    p50: t.float({ nullable: true, description: 'Median latency (ms); same as latency.p50.', resolve: (p) => p.latency.p50 }),
    p95: t.float({ nullable: true, description: '95th percentile latency (ms); same as latency.p95.', resolve: (p) => p.latency.p95 }),
    p99: t.float({ nullable: true, description: '99th percentile latency (ms); same as latency.p99.', resolve: (p) => p.latency.p99 }),
    max: t.float({ nullable: true, description: 'Slowest request (ms); same as latency.max.', resolve: (p) => p.latency.max }),
  };
}

/** Error counts and rates (fractions 0..1) of a set of requests. */
export function errorFields<P extends Omit<RequestStats, 'share' | 'latency' | 'count'>>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, P>,
) {
  return {
    errors: t.int({ description: 'Requests answered 4xx or 5xx.', resolve: (p) => p.errors }),
    clientErrors: t.int({ description: 'Requests answered 4xx.', resolve: (p) => p.errors4xx }),
    serverErrors: t.int({ description: 'Requests answered 5xx.', resolve: (p) => p.errors5xx }),
    errorRate: t.float({ description: 'errors / requests (0..1); 0 when there were no requests.', resolve: (p) => p.errorRate }),
    clientErrorRate: t.float({ description: '4xx / requests (0..1).', resolve: (p) => p.clientErrorRate }),
    serverErrorRate: t.float({ description: '5xx / requests (0..1).', resolve: (p) => p.serverErrorRate }),
  };
}

export { rangeArg };

export const ValueShareRef = builder.objectRef<ValueShare>('ValueShare').implement({
  description: 'A value (method, user agent, client IP…) with how many requests carried it.',
  fields: (t) => ({
    value: t.exposeString('value', { description: 'The value. User agents and IPs are untrusted client data.' }),
    count: t.exposeInt('count', {
      description: 'Requests with this value (in a list counted from raw logs: among the records its sample counted).',
    }),
    errors: t.exposeInt('errors', { description: 'Of those, requests answered 4xx or 5xx.' }),
    share: t.exposeFloat('share', {
      description: 'count / all requests counted for the list (0..1): all in scope, or the sample a raw-log list was counted over.',
    }),
  }),
});
