import { builder } from './builder.ts';
import { DEFAULT_P95_THRESHOLD_MS } from '../insights/bottlenecks/read.ts';
import { getRecommendations } from '../insights/recommendations/read.ts';
import { RULES, type Recommendation, type RecommendationKind } from '../insights/recommendations/rules.ts';
import { analyticsArgs, analyticsInput, badInput, intArg, MAX_LIMIT } from './analytics-common.ts';
import { EvidenceRef } from './evidence.ts';
import { SeverityRef } from './insight-severity.ts';

const RecommendationKindRef = builder.enumType('RecommendationKind', {
  description: 'What a recommendation suggests.',
  values: {
    CACHE_HOT_SLOW_GET: {
      value: 'CACHE_HOT_SLOW_GET',
      description: `Cache a GET endpoint with ≥ ${RULES.cache.minRequests} requests that is both busy (≥ ${RULES.cache.minShare * 100} % of requests) and slow (p95 ≥ ${RULES.cache.minP95Ms} ms), unless ≥ ${RULES.cache.maxServerErrorRate * 100} % of them fail with 5xx.`,
    },
    INVESTIGATE_5XX: {
      value: 'INVESTIGATE_5XX',
      description: `Investigate a route whose requests often fail with 5xx (≥ ${RULES.serverErrors.minRate * 100} % and ≥ ${RULES.serverErrors.minErrors} responses).`,
    },
    FIX_404_ROUTE: {
      value: 'FIX_404_ROUTE',
      description: `Clients keep calling a route that mostly answers 404 (≥ ${RULES.notFound.minRate * 100} % and ≥ ${RULES.notFound.minCount} responses).`,
    },
    PAGINATE_LARGE_RESPONSES: {
      value: 'PAGINATE_LARGE_RESPONSES',
      description:
        `Paginate a GET whose responses average ≥ ${RULES.paginate.minAvgBytes / 1000} KB over ≥ ${RULES.paginate.minSampled} of its newest requests that logged a size (raw logs), or a list endpoint with ≥ ${RULES.paginate.minRequests} requests averaging ≥ ${RULES.paginate.slowListAvgMs} ms when sizes are not logged.`,
    },
    RATE_LIMIT_CLIENT: {
      value: 'RATE_LIMIT_CLIENT',
      description: `One client address sends ≥ ${RULES.rateLimit.minShare * 100} % of requests (newest 50 000 raw records of the range; needs ≥ ${RULES.rateLimit.minSample} records from ≥ ${RULES.rateLimit.minDistinctClients} addresses).`,
    },
    INVESTIGATE_LATENCY_ANOMALY: {
      value: 'INVESTIGATE_LATENCY_ANOMALY',
      description: 'A latency anomaly in the range deserves a look (see anomalies).',
    },
    OPTIMIZE_SLOW_ENDPOINT: {
      value: 'OPTIMIZE_SLOW_ENDPOINT',
      description: 'Speed up a bottleneck (see bottlenecks) of MEDIUM severity or worse that caching does not cover (LOW ones get no suggestion).',
    },
  } as const satisfies Record<RecommendationKind, { value: RecommendationKind; description: string }>,
});

const RecommendationRef = builder.objectRef<Recommendation>('Recommendation').implement({
  description: 'A concrete suggestion derived from the analyses, with the numbers that triggered it.',
  fields: (t) => ({
    kind: t.field({ type: RecommendationKindRef, description: 'What it suggests.', resolve: (r) => r.kind }),
    title: t.exposeString('title', {
      description: 'Short imperative summary. Contains route names or client IPs from logs: untrusted text.',
    }),
    detail: t.exposeString('detail', {
      description: 'What was seen and what to do. Contains route names or client IPs from logs: untrusted text.',
    }),
    priority: t.field({ type: SeverityRef, description: 'How urgent.', resolve: (r) => r.priority }),
    service: t.exposeString('service', { nullable: true, description: 'Service concerned; null when not about one endpoint.' }),
    method: t.exposeString('method', { nullable: true, description: 'HTTP method concerned; null when not about one endpoint.' }),
    route: t.exposeString('route', { nullable: true, description: 'Templated route concerned; null when not about one endpoint.' }),
    affectedRequests: t.exposeInt('affectedRequests', { description: 'Requests it concerns (ranks suggestions of equal priority).' }),
    evidence: t.field({ type: [EvidenceRef], description: 'The numbers that triggered it.', resolve: (r) => r.evidence }),
  }),
});

builder.queryField('recommendations', (t) =>
  t.field({
    type: [RecommendationRef],
    description:
      'Concrete, ranked suggestions from the analyses (caching, 5xx and 404 routes, pagination, noisy clients, latency anomalies, bottlenecks), most urgent first, each with its evidence.',
    args: {
      ...analyticsArgs(t.arg),
      p95ThresholdMs: t.arg.float({
        required: false,
        description: `p95 (ms) above which an endpoint counts as slow (default ${DEFAULT_P95_THRESHOLD_MS}).`,
      }),
      limit: t.arg.int({ required: false, description: `At most this many (default 20, at most ${MAX_LIMIT}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      const p95ThresholdMs = args.p95ThresholdMs ?? DEFAULT_P95_THRESHOLD_MS;
      if (!(Number.isFinite(p95ThresholdMs) && p95ThresholdMs > 0 && p95ThresholdMs <= 600_000)) {
        throw badInput('p95ThresholdMs: must be a number of milliseconds in (0, 600000]', 'p95ThresholdMs');
      }
      const limit = intArg(args.limit, 'limit', 20, 1, MAX_LIMIT);
      const found = await getRecommendations(ctx.db.pool, { range, filter, p95ThresholdMs, now: ctx.clock.now(), anomalyCache: ctx.anomalyCache });
      return found.slice(0, limit);
    },
  }),
);
