import { builder } from './builder.ts';
import { getEndpointDetail, type EndpointDetail } from '../analytics/endpoint-detail.ts';
import { getEndpointUsage, getSlowEndpoints, type EndpointSort, type EndpointStats } from '../analytics/endpoint-usage.ts';
import { effectiveRange } from '../storage/rollup-read.ts';
import { getEndpoints, getServices, type ServiceStats } from '../analytics/services.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import {
  analyticsArgs,
  analyticsInput,
  badInput,
  bucketArg,
  errorFields,
  intArg,
  latencyFields,
  MAX_LIMIT,
  ValueShareRef,
} from './analytics-common.ts';
import { StatusShareRef } from './errors.ts';
import { LogRef } from './log.ts';
import { RawLogSampleRef } from './raw-sample.ts';
import { ResolvedTimeRange, TimeRange } from './time-range.ts';
import { TrafficPointRef } from './traffic.ts';

const EndpointStatsRef = builder.objectRef<EndpointStats>('EndpointStats').implement({
  description: 'One endpoint (service, method, templated route) over the range: volume, error rates and latency.',
  fields: (t) => ({
    service: t.exposeString('service', { description: 'Service serving the endpoint.' }),
    method: t.exposeString('method', { description: 'HTTP method.' }),
    route: t.exposeString('route', { description: 'Templated route, e.g. /api/users/:id.' }),
    count: t.exposeInt('count', { description: 'Requests.' }),
    share: t.exposeFloat('share', { description: 'count / all requests matching the filter (0..1).' }),
    ...errorFields(t),
    ...latencyFields(t),
  }),
});

const EndpointSortRef = builder.enumType('EndpointSort', {
  description: 'Order of endpointUsage rows: descending by the figure (ties by count, then endpoint), or ENDPOINT for alphabetical.',
  values: {
    COUNT: { value: 'count', description: 'Most requests first.' },
    ERRORS: { value: 'errors', description: 'Most 4xx + 5xx first.' },
    ERROR_RATE: { value: 'errorRate', description: 'Highest error rate first.' },
    CLIENT_ERROR_RATE: { value: 'clientErrorRate', description: 'Highest 4xx rate first.' },
    SERVER_ERROR_RATE: { value: 'serverErrorRate', description: 'Highest 5xx rate first.' },
    AVG: { value: 'avg', description: 'Slowest mean latency first.' },
    P50: { value: 'p50', description: 'Slowest median latency first.' },
    P95: { value: 'p95', description: 'Slowest p95 latency first.' },
    P99: { value: 'p99', description: 'Slowest p99 latency first.' },
    MAX: { value: 'max', description: 'Slowest single request first.' },
    ENDPOINT: { value: 'endpoint', description: 'By service, method, route (ascending).' },
  } as const satisfies Record<string, { value: EndpointSort; description: string }>,
});

const ServiceStatsRef = builder.objectRef<ServiceStats>('ServiceStats').implement({
  description: 'One service over the range: volume, endpoints, error rates and latency.',
  fields: (t) => ({
    service: t.exposeString('service', { description: 'Service name.' }),
    count: t.exposeInt('count', { description: 'Requests.' }),
    share: t.exposeFloat('share', { description: 'count / all requests matching the filter (0..1).' }),
    endpointCount: t.exposeInt('endpointCount', { description: 'Endpoints (method + route) with traffic in the range.' }),
    ...errorFields(t),
    ...latencyFields(t),
  }),
});

type EndpointDetailResult = EndpointDetail & { range: ResolvedRange };

const EndpointDetailRef = builder.objectRef<EndpointDetailResult>('EndpointDetail').implement({
  description: 'Drill-down into one endpoint: totals, traffic and latency over time, statuses, top clients and recent errors.',
  fields: (t) => ({
    range: t.field({ type: ResolvedTimeRange, description: 'The range covered, in whole minutes.', resolve: (r) => r.range }),
    service: t.exposeString('service', {
      nullable: true,
      description: 'The service asked for; null means every service serving this route and method.',
    }),
    method: t.exposeString('method', { description: 'HTTP method.' }),
    route: t.exposeString('route', { description: 'Templated route.' }),
    count: t.exposeInt('count', { description: 'Requests over the range.' }),
    ...errorFields(t),
    ...latencyFields(t),
    bucketSeconds: t.exposeInt('bucketSeconds', { description: 'Bucket size of `series` in seconds.' }),
    series: t.field({
      type: [TrafficPointRef],
      description: 'Requests, errors and latency percentiles per bucket, oldest first, empty buckets included.',
      resolve: (r) => r.series,
    }),
    statuses: t.field({ type: [StatusShareRef], description: 'Requests per status code, ascending.', resolve: (r) => r.statuses }),
    topClients: t.field({
      type: [ValueShareRef],
      description: 'Client IPs with most requests, counted from raw logs over `topClientsSample` (share = of those records).',
      resolve: (r) => r.topClients,
    }),
    topClientsSample: t.field({
      type: RawLogSampleRef,
      description: 'The raw records topClients was counted over: all of this endpoint in the range, or a bounded sample of them.',
      resolve: (r) => r.topClientsSample,
    }),
    recentErrors: t.field({
      type: [LogRef],
      description: 'Most recent 4xx/5xx records in the range, newest first (from raw logs).',
      resolve: (r) => r.recentErrors,
    }),
  }),
});

const limitArg = (t: Parameters<Parameters<typeof builder.queryField>[1]>[0], fallback: number, what: string) =>
  t.arg.int({ required: false, description: `${what} (default ${fallback}, at most ${MAX_LIMIT}).` });

builder.queryField('endpointUsage', (t) =>
  t.field({
    type: [EndpointStatsRef],
    description:
      'Per endpoint (service, method, route): requests, share of traffic, error rates (4xx and 5xx apart) and latency, sortable.',
    args: {
      ...analyticsArgs(t.arg),
      sort: t.arg({ type: EndpointSortRef, required: false, description: 'Order of the rows (default COUNT).' }),
      limit: limitArg(t, 100, 'Most rows to return'),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      const limit = intArg(args.limit, 'limit', 100, 1, MAX_LIMIT);
      return getEndpointUsage(ctx.db.pool, { range, filter, sort: args.sort ?? 'count', limit });
    },
  }),
);

builder.queryField('slowEndpoints', (t) =>
  t.field({
    type: [EndpointStatsRef],
    description: 'The slowest endpoints by p95 latency (ties by mean), with their other figures.',
    args: {
      ...analyticsArgs(t.arg),
      limit: limitArg(t, 10, 'How many endpoints'),
      minRequests: t.arg.int({ required: false, description: 'Ignore endpoints with fewer requests than this (default 1).' }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      const limit = intArg(args.limit, 'limit', 10, 1, MAX_LIMIT);
      const minRequests = intArg(args.minRequests, 'minRequests', 1, 1, 1_000_000_000);
      return getSlowEndpoints(ctx.db.pool, { range, filter, limit, minRequests });
    },
  }),
);

builder.queryField('endpoints', (t) =>
  t.field({
    type: [EndpointStatsRef],
    description: 'Endpoints with traffic in the range, ordered by service, method and route, with their counts and figures.',
    args: { ...analyticsArgs(t.arg), limit: limitArg(t, 500, 'Most endpoints to return') },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      return getEndpoints(ctx.db.pool, { range, filter, limit: intArg(args.limit, 'limit', 500, 1, MAX_LIMIT) });
    },
  }),
);

builder.queryField('services', (t) =>
  t.field({
    type: [ServiceStatsRef],
    description:
      'Services with traffic in the range, busiest first, with request counts, endpoint counts, error rates and latency; at most `limit` of them.',
    args: { ...analyticsArgs(t.arg), limit: limitArg(t, MAX_LIMIT, 'Most services to return (the busiest)') },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      const limit = intArg(args.limit, 'limit', MAX_LIMIT, 1, MAX_LIMIT);
      return (await getServices(ctx.db.pool, { range, filter })).slice(0, limit);
    },
  }),
);

builder.queryField('endpointDetail', (t) =>
  t.field({
    type: EndpointDetailRef,
    description:
      'Drill-down into one endpoint (route + method, optionally one service): totals, series, latency percentiles over time, statuses, top clients, recent errors.',
    args: {
      range: t.arg({ type: TimeRange, required: true, description: 'The time range to analyse.' }),
      route: t.arg.string({ required: true, description: 'Templated route, e.g. /api/users/:id.' }),
      method: t.arg.string({ required: true, description: 'HTTP method (case-insensitive).' }),
      service: t.arg.string({ required: false, description: 'Only this service (default: every service serving the route).' }),
      bucket: t.arg.string({ required: false, description: 'Series bucket size such as "5m" or "1h" (default: chosen from the range).' }),
      limit: limitArg(t, 10, 'Top clients and recent errors to return'),
    },
    resolve: async (_root, args, ctx) => {
      const { range } = analyticsInput(args, ctx);
      if (!args.route.trim()) throw badInput('route: must not be empty', 'route');
      if (!args.method.trim()) throw badInput('method: must not be empty', 'method');
      const limit = intArg(args.limit, 'limit', 10, 1, MAX_LIMIT);
      const detail = await getEndpointDetail(ctx.db.pool, {
        range,
        route: args.route,
        method: args.method,
        service: args.service,
        bucketSeconds: bucketArg(args.bucket, range),
        limit,
        maxRows: ctx.config.rawSampleRows,
        citus: ctx.db.citus,
      });
      return { range: effectiveRange(range), ...detail };
    },
  }),
);
