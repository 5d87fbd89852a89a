import { builder } from './builder.ts';
import { badInput } from './analytics-common.ts';
import { logFilterProblem } from '../storage/log-filter.ts';
import type { LogStreamBatch } from '../live/log-stream.ts';
import { LIVE_METRICS_MAX_INTERVAL, LIVE_METRICS_MIN_INTERVAL, streamLiveMetrics } from '../live/metrics-stream.ts';
import type { LiveMetrics } from '../live/metrics-window.ts';
import { LogFilterInput, LogRef } from './log.ts';

const LogStreamBatchRef = builder.objectRef<LogStreamBatch>('LogStreamBatch').implement({
  description:
    'Records committed since the previous batch that match the subscription filter, in commit order. The first batch of a subscription is empty and confirms it is live.',
  fields: (t) => ({
    logs: t.field({ type: [LogRef], description: 'The records, oldest first.', resolve: (batch) => batch.logs }),
    dropped: t.exposeInt('dropped', {
      description:
        'Matching records skipped since the previous batch because this subscriber could not keep up (the oldest waiting ones go first).',
    }),
  }),
});

const LiveMetricsRef = builder.objectRef<LiveMetrics>('LiveMetrics').implement({
  description:
    'Traffic figures for one window of arrival time at the gateway. Consecutive windows of a subscription are contiguous, so every record is counted exactly once.',
  fields: (t) => ({
    windowStart: t.expose('windowStart', { type: 'DateTime', description: 'Start of the window (inclusive).' }),
    windowEnd: t.expose('windowEnd', { type: 'DateTime', description: 'End of the window (exclusive).' }),
    service: t.exposeString('service', { nullable: true, description: 'The service these figures are for; null for all services.' }),
    requests: t.exposeInt('requests', { description: 'Records that arrived in the window.' }),
    requestsPerSecond: t.exposeFloat('requestsPerSecond', { description: 'requests divided by the window length in seconds.' }),
    errors4xx: t.exposeInt('errors4xx', { description: 'Requests answered 4xx.' }),
    errors5xx: t.exposeInt('errors5xx', { description: 'Requests answered 5xx.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'Share (0..1) of requests answered 4xx or 5xx; 0 when there were none.' }),
    serverErrorRate: t.exposeFloat('serverErrorRate', { description: 'Share (0..1) of requests answered 5xx; 0 when there were none.' }),
    avgLatencyMs: t.float({ nullable: true, description: 'Mean latency (ms); null without requests.', resolve: (m) => m.latency.avg }),
    p50LatencyMs: t.float({
      nullable: true,
      description: 'Median latency (ms, ≤ 3.8 % relative error); null without requests.',
      resolve: (m) => m.latency.p50,
    }),
    p95LatencyMs: t.float({
      nullable: true,
      description: '95th percentile latency (ms, ≤ 3.8 % relative error); null without requests.',
      resolve: (m) => m.latency.p95,
    }),
    p99LatencyMs: t.float({
      nullable: true,
      description: '99th percentile latency (ms, ≤ 3.8 % relative error); null without requests.',
      resolve: (m) => m.latency.p99,
    }),
    maxLatencyMs: t.float({
      nullable: true,
      description: 'Slowest request (ms, exact); null without requests.',
      resolve: (m) => m.latency.max,
    }),
    activeEndpoints: t.exposeInt('activeEndpoints', {
      description: 'Distinct (service, method, route) that received requests in the window.',
    }),
  }),
});

builder.subscriptionType({ description: 'Live views: committed log records, traffic figures and alert transitions as they happen.' });

builder.subscriptionField('logStream', (t) =>
  t.field({
    type: LogStreamBatchRef,
    description:
      'Every record right after its batch is stored (on any replica), filtered on the server, delivered in small batches (at once after a quiet spell, then at most every 100 ms; up to 250 records each). A subscriber that falls behind is told how many records it missed instead of being buffered without bound.',
    args: { filter: t.arg({ type: LogFilterInput, required: false, description: 'Which records to send; all when omitted.' }) },
    subscribe: (_root, args, ctx) => {
      const filter = args.filter ?? {};
      // The same rule as recentLogs: an impossible status or class is a mistake, not an empty stream.
      const problem = logFilterProblem(filter);
      if (problem) throw badInput(problem, 'filter');
      return ctx.pubsub.logStreams.subscribe(filter);
    },
    resolve: (batch) => batch,
  }),
);

builder.subscriptionField('liveMetrics', (t) =>
  t.field({
    type: LiveMetricsRef,
    description:
      'Requests/s, error rates, latency percentiles and active endpoints, every intervalSeconds (windows aligned to the clock). The first emission, sent at once, covers the interval that just ended.',
    args: {
      intervalSeconds: t.arg.int({
        required: true,
        defaultValue: 5,
        description: `Window length and emission period in seconds (${LIVE_METRICS_MIN_INTERVAL}–${LIVE_METRICS_MAX_INTERVAL}).`,
      }),
      service: t.arg.string({ required: false, description: 'Only this service; all services when omitted.' }),
    },
    subscribe: (_root, args, ctx) => {
      const interval = args.intervalSeconds;
      if (interval < LIVE_METRICS_MIN_INTERVAL || interval > LIVE_METRICS_MAX_INTERVAL) {
        throw badInput(`intervalSeconds must be between ${LIVE_METRICS_MIN_INTERVAL} and ${LIVE_METRICS_MAX_INTERVAL}, got ${interval}`, 'intervalSeconds');
      }
      return streamLiveMetrics(ctx.pubsub.metrics, interval, args.service ?? null);
    },
    resolve: (metrics) => metrics,
  }),
);
