import { builder } from './builder.ts';
import {
  getErrorDistribution,
  getStatusEndpointTop,
  type ErrorDistribution,
  type EndpointCount,
  type StatusClassShare,
  type StatusEndpoints,
  type StatusShare,
} from '../analytics/error-distribution.ts';
import { getErrorHeatmap, type HeatmapCell, type HeatmapRow } from '../analytics/error-heatmap.ts';
import { effectiveRange } from '../storage/rollup-read.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { analyticsArgs, analyticsInput, intArg, MAX_LIMIT, tzArg } from './analytics-common.ts';
import { ResolvedTimeRange } from './time-range.ts';

export const StatusShareRef = builder.objectRef<StatusShare>('StatusShare').implement({
  description: 'Requests answered with one status code.',
  fields: (t) => ({
    status: t.exposeInt('status', { description: 'HTTP status code.' }),
    statusClass: t.exposeInt('statusClass', { description: 'Status class: 1..5 (e.g. 5 for 503).' }),
    count: t.exposeInt('count', { description: 'Requests with this status.' }),
    share: t.exposeFloat('share', { description: 'count / all requests in scope (0..1).' }),
    errorShare: t.exposeFloat('errorShare', {
      description: 'count / error requests (4xx + 5xx) in scope (0..1); 0 for statuses below 400.',
    }),
  }),
});

const StatusClassShareRef = builder.objectRef<StatusClassShare>('StatusClassShare').implement({
  description: 'Requests answered with any status of one class (2xx, 3xx, 4xx, 5xx).',
  fields: (t) => ({
    statusClass: t.exposeInt('statusClass', { description: 'Status class: 1..5.' }),
    label: t.exposeString('label', { description: 'The class as text, e.g. "5xx".' }),
    count: t.exposeInt('count', { description: 'Requests in this class.' }),
    share: t.exposeFloat('share', { description: 'count / all requests in scope (0..1).' }),
    errorShare: t.exposeFloat('errorShare', { description: 'count / error requests (0..1); 0 for classes below 4xx.' }),
  }),
});

type ErrorDistributionResult = ErrorDistribution & { range: ResolvedRange };

const ErrorDistributionRef = builder.objectRef<ErrorDistributionResult>('ErrorDistribution').implement({
  description: 'How requests split across status codes and classes.',
  fields: (t) => ({
    range: t.field({ type: ResolvedTimeRange, description: 'The range covered, in whole minutes.', resolve: (r) => r.range }),
    total: t.exposeInt('total', { description: 'All requests in scope.' }),
    errors: t.exposeInt('errors', { description: 'Requests answered 4xx or 5xx.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'errors / total (0..1).' }),
    byStatus: t.field({ type: [StatusShareRef], description: 'Per status code, ascending.', resolve: (r) => r.byStatus }),
    byClass: t.field({ type: [StatusClassShareRef], description: 'Per status class, ascending.', resolve: (r) => r.byClass }),
  }),
});

const EndpointCountRef = builder.objectRef<EndpointCount>('EndpointCount').implement({
  description: 'An endpoint and how many requests it served in some group.',
  fields: (t) => ({
    service: t.exposeString('service', { description: 'Service serving the endpoint.' }),
    method: t.exposeString('method', { description: 'HTTP method.' }),
    route: t.exposeString('route', { description: 'Templated route.' }),
    count: t.exposeInt('count', { description: 'Requests in the group.' }),
    share: t.exposeFloat('share', { description: 'count / all requests of the group (0..1).' }),
  }),
});

const StatusEndpointsRef = builder.objectRef<StatusEndpoints>('StatusEndpoints').implement({
  description: 'One status code and the endpoints that answered it most.',
  fields: (t) => ({
    status: t.exposeInt('status', { description: 'HTTP status code.' }),
    count: t.exposeInt('count', { description: 'Requests with this status.' }),
    share: t.exposeFloat('share', { description: 'count / all requests in scope (0..1).' }),
    endpoints: t.field({
      type: [EndpointCountRef],
      description: 'Endpoints by requests with this status, most first (share = of this status).',
      resolve: (r) => r.endpoints,
    }),
  }),
});

const HeatmapCellRef = builder.objectRef<HeatmapCell>('ErrorHeatmapCell').implement({
  description: 'One hour of day for one endpoint. `x`/`y` are what a nivo HeatMap reads.',
  fields: (t) => ({
    x: t.int({ description: 'Hour of day (0..23) in the requested zone; same as hour.', resolve: (c) => c.hour }),
    y: t.float({
      nullable: true,
      description: 'Error rate (0..1); null when the hour had no requests. Same as errorRate.',
      resolve: (c) => c.errorRate,
    }),
    hour: t.exposeInt('hour', { description: 'Hour of day (0..23) in the requested zone.' }),
    requests: t.exposeInt('requests', { description: 'Requests in this hour of day over the range.' }),
    errors: t.exposeInt('errors', { description: 'Of those, answered 4xx or 5xx.' }),
    errorRate: t.exposeFloat('errorRate', { nullable: true, description: 'errors / requests (0..1); null when there were no requests.' }),
  }),
});

const HeatmapRowRef = builder.objectRef<HeatmapRow>('ErrorHeatmapRow').implement({
  description: 'One endpoint of the error heatmap: a nivo HeatMap series (id + data).',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Row label: "service METHOD route".' }),
    service: t.exposeString('service', { description: 'Service serving the endpoint.' }),
    method: t.exposeString('method', { description: 'HTTP method.' }),
    route: t.exposeString('route', { description: 'Templated route.' }),
    requests: t.exposeInt('requests', { description: 'Requests to the endpoint over the range.' }),
    errors: t.exposeInt('errors', { description: 'Of those, answered 4xx or 5xx.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'errors / requests over the range (0..1).' }),
    data: t.field({ type: [HeatmapCellRef], description: 'All 24 hours of day, 0 first.', resolve: (r) => r.cells }),
  }),
});

builder.queryField('errorDistribution', (t) =>
  t.field({
    type: ErrorDistributionRef,
    description: 'Requests per status code and per status class, with shares of all requests and of errors.',
    args: analyticsArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      return { range: effectiveRange(range), ...(await getErrorDistribution(ctx.db.pool, { range, filter })) };
    },
  }),
);

builder.queryField('statusEndpointTop', (t) =>
  t.field({
    type: [StatusEndpointsRef],
    description: 'For every status code seen, the endpoints that answered it most often.',
    args: {
      ...analyticsArgs(t.arg),
      limit: t.arg.int({ required: false, description: `Endpoints per status code (default 5, at most ${MAX_LIMIT}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      return getStatusEndpointTop(ctx.db.pool, { range, filter, limit: intArg(args.limit, 'limit', 5, 1, MAX_LIMIT) });
    },
  }),
);

builder.queryField('errorHeatmap', (t) =>
  t.field({
    type: [HeatmapRowRef],
    description:
      'Hour-of-day × endpoint error-rate matrix (4xx + 5xx) in a time zone, ready for a nivo HeatMap: one row per endpoint that had errors, most errors first, each with 24 cells.',
    args: {
      ...analyticsArgs(t.arg),
      tz: t.arg.string({
        required: false,
        description: 'IANA time zone for the hour of day, e.g. "Europe/Berlin" (default: the gateway TZ setting).',
      }),
      limit: t.arg.int({ required: false, description: `Most endpoints to return (default 20, at most ${MAX_LIMIT}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      return getErrorHeatmap(ctx.db.pool, {
        range,
        filter,
        tz: tzArg(args.tz, ctx),
        limit: intArg(args.limit, 'limit', 20, 1, MAX_LIMIT),
      });
    },
  }),
);
