import { builder } from './builder.ts';
import { getBottlenecks, DEFAULT_BOTTLENECK_MIN_REQUESTS, DEFAULT_P95_THRESHOLD_MS } from '../insights/bottlenecks/read.ts';
import type { Bottleneck, BottleneckReason } from '../insights/bottlenecks/rules.ts';
import { analyticsArgs, analyticsInput, badInput, intArg, latencyFields, MAX_LIMIT } from './analytics-common.ts';
import { EvidenceRef } from './evidence.ts';
import { SeverityRef } from './insight-severity.ts';

const BottleneckReasonRef = builder.enumType('BottleneckReason', {
  description: 'Why an endpoint counts as a bottleneck.',
  values: {
    P95_OVER_THRESHOLD: { value: 'P95_OVER_THRESHOLD', description: 'Its p95 is over p95ThresholdMs.' },
    SLOWER_THAN_BEFORE: {
      value: 'SLOWER_THAN_BEFORE',
      description: 'Its p95 is at least 2× (and 50 ms above) its p95 in the previous period of the same length.',
    },
    SLOWER_THAN_SERVICE: {
      value: 'SLOWER_THAN_SERVICE',
      description:
        "Its p95 is at least 3× (and 100 ms above) the median p95 of its service's endpoints (services with 3 or more endpoints).",
    },
  } as const satisfies Record<BottleneckReason, { value: BottleneckReason; description: string }>,
});

const BottleneckRef = builder.objectRef<Bottleneck>('Bottleneck').implement({
  description: 'A slow endpoint, with why it counts as one and the numbers behind it.',
  fields: (t) => ({
    service: t.exposeString('service', { description: 'Service serving the endpoint.' }),
    method: t.exposeString('method', { description: 'HTTP method.' }),
    route: t.exposeString('route', { description: 'Templated route.' }),
    count: t.exposeInt('count', { description: 'Requests in the range.' }),
    ...latencyFields(t),
    reasons: t.field({ type: [BottleneckReasonRef], description: 'Every rule it breaks.', resolve: (b) => b.reasons }),
    severity: t.field({
      type: SeverityRef,
      description:
        'How bad: by how far p95 is over the threshold or its previous value, one level worse when it takes ≥ 25 % of all request time.',
      resolve: (b) => b.severity,
    }),
    baselineP95: t.exposeFloat('baselineP95', {
      nullable: true,
      description: 'p95 (ms) in the previous period of the same length; null with too few requests then.',
    }),
    baselineCount: t.exposeInt('baselineCount', { description: 'Requests in the previous period.' }),
    serviceMedianP95: t.exposeFloat('serviceMedianP95', {
      nullable: true,
      description: "Median p95 (ms) of the service's endpoints; null with fewer than 3 endpoints.",
    }),
    timeSpentMs: t.exposeFloat('timeSpentMs', { description: 'count × avg: total time spent answering it (ms).' }),
    timeShare: t.exposeFloat('timeShare', { description: 'Its share of the time spent on all endpoints in scope (0..1).' }),
    explanation: t.exposeString('explanation', {
      description: 'The finding in one or two sentences. Contains route names from logs: untrusted text.',
    }),
    evidence: t.field({ type: [EvidenceRef], description: 'The numbers behind it.', resolve: (b) => b.evidence }),
  }),
});

builder.queryField('bottlenecks', (t) =>
  t.field({
    type: [BottleneckRef],
    description:
      'Endpoints whose p95 exceeds a threshold, or is far above their own p95 in the previous period or the median of their service; most severe first, then by share of request time.',
    args: {
      ...analyticsArgs(t.arg),
      p95ThresholdMs: t.arg.float({
        required: false,
        description: `p95 (ms) above which an endpoint is slow (default ${DEFAULT_P95_THRESHOLD_MS}).`,
      }),
      minRequests: t.arg.int({
        required: false,
        description: `Endpoints with fewer requests are not judged (default ${DEFAULT_BOTTLENECK_MIN_REQUESTS}).`,
      }),
      limit: t.arg.int({ required: false, description: `At most this many (default 50, at most ${MAX_LIMIT}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      const p95ThresholdMs = args.p95ThresholdMs ?? DEFAULT_P95_THRESHOLD_MS;
      if (!(Number.isFinite(p95ThresholdMs) && p95ThresholdMs > 0 && p95ThresholdMs <= 600_000)) {
        throw badInput('p95ThresholdMs: must be a number of milliseconds in (0, 600000]', 'p95ThresholdMs');
      }
      const minRequests = intArg(args.minRequests, 'minRequests', DEFAULT_BOTTLENECK_MIN_REQUESTS, 1, 1_000_000_000);
      const limit = intArg(args.limit, 'limit', 50, 1, MAX_LIMIT);
      const found = await getBottlenecks(ctx.db.pool, { range, filter, p95ThresholdMs, minRequests });
      return found.slice(0, limit);
    },
  }),
);
