import type { ClientFacts, ResponseSizes } from '../../storage/raw-recent-sample.ts';
import type { Evidence } from '../../domain/evidence.ts';
import { byUrgency, type Severity } from '../../domain/severity.ts';
import type { DetectedAnomaly } from '../anomalies/rules.ts';
import type { Bottleneck } from '../bottlenecks/rules.ts';
import type { LatencySummary } from '../../storage/histogram.ts';
import { endpointLabel } from '../../domain/endpoint.ts';

/**
 * Pure recommendation rules (recommendations.ts gathers the facts). Each rule turns numbers the
 * other analyses already produce into one concrete suggestion, and carries those numbers as
 * evidence so the reader can check why it was made.
 */

export type RecommendationKind =
  | 'CACHE_HOT_SLOW_GET'
  | 'INVESTIGATE_5XX'
  | 'FIX_404_ROUTE'
  | 'PAGINATE_LARGE_RESPONSES'
  | 'RATE_LIMIT_CLIENT'
  | 'INVESTIGATE_LATENCY_ANOMALY'
  | 'OPTIMIZE_SLOW_ENDPOINT';

/** Response sizes of one endpoint from a sample of raw logs (only records that logged `bytes`). */
export type { ClientFacts, ResponseSizes };

export interface EndpointFacts {
  service: string;
  method: string;
  route: string;
  count: number;
  /** Share of all requests in scope (0..1). */
  share: number;
  errors5xx: number;
  /** Requests answered exactly 404. */
  notFound: number;
  /** The commonest 5xx status, if any. */
  topServerStatus: number | null;
  latency: LatencySummary;
  sizes: ResponseSizes | null;
}

export interface RecommendationInput {
  endpoints: readonly EndpointFacts[];
  bottlenecks: readonly Bottleneck[];
  anomalies: readonly DetectedAnomaly[];
  clients: ClientFacts | null;
}

export interface Recommendation {
  kind: RecommendationKind;
  title: string;
  detail: string;
  priority: Severity;
  service: string | null;
  method: string | null;
  route: string | null;
  /** Requests the suggestion concerns (ranks suggestions of equal priority). */
  affectedRequests: number;
  evidence: Evidence[];
}

/** The lines each rule draws; exported so the docs and tests say the same thing as the code. */
export const RULES = {
  cache: { minShare: 0.05, minRequests: 50, minP95Ms: 200, maxServerErrorRate: 0.2 },
  serverErrors: { minErrors: 10, minRate: 0.05 },
  notFound: { minCount: 10, minRate: 0.5 },
  paginate: { minAvgBytes: 100_000, minSampled: 10, slowListAvgMs: 300, minRequests: 50 },
  rateLimit: { minSample: 200, minDistinctClients: 3, minShare: 0.2 },
} as const;

const round = (v: number): number => Math.round(v * 1000) / 1000;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const ms = (v: number | null): string => (v === null ? 'n/a' : `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')} ms`);
const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const kb = (v: number): string => (v >= 1_048_576 ? `${(v / 1_048_576).toFixed(1)} MB` : `${(v / 1024).toFixed(1)} KB`);
const name = (e: { service: string; method: string; route: string }): string => `${endpointLabel(e)} (${e.service})`;
const key = (e: { service: string | null; method: string | null; route: string | null }): string =>
  `${e.service}\u0001${e.method}\u0001${e.route}`;

function cacheHotSlowGets(endpoints: readonly EndpointFacts[]): Recommendation[] {
  const r = RULES.cache;
  return endpoints
    .filter((e) => e.method === 'GET' && e.count >= r.minRequests && e.share >= r.minShare && (e.latency.p95 ?? 0) >= r.minP95Ms)
    .filter((e) => e.errors5xx / e.count < r.maxServerErrorRate)
    .map((e) => {
      const p95 = e.latency.p95 ?? 0;
      const hot = e.share >= 0.15;
      const slow = p95 >= 1000;
      return {
        kind: 'CACHE_HOT_SLOW_GET',
        title: `Cache responses of ${endpointLabel(e)}`,
        detail:
          `${name(e)} answers ${pct(e.share)} of all requests (${int(e.count)}) and is slow: p95 ${ms(p95)}, average ${ms(e.latency.avg)}. ` +
          'A response cache (Cache-Control/ETag for clients, or an in-memory/Redis cache in front of the handler) would serve repeated reads in milliseconds.',
        priority: hot && slow ? 'CRITICAL' : hot || slow ? 'HIGH' : 'MEDIUM',
        service: e.service,
        method: e.method,
        route: e.route,
        affectedRequests: e.count,
        evidence: [
          { label: 'requests', value: e.count, unit: 'requests' },
          { label: 'share of all requests', value: round(e.share * 100), unit: '%' },
          { label: 'p95 latency', value: round(p95), unit: 'ms' },
          { label: 'average latency', value: round(e.latency.avg ?? 0), unit: 'ms' },
        ],
      } satisfies Recommendation;
    });
}

function investigateServerErrors(endpoints: readonly EndpointFacts[]): Recommendation[] {
  const r = RULES.serverErrors;
  const all5xx = endpoints.reduce((n, e) => n + e.errors5xx, 0);
  return endpoints
    .filter((e) => e.errors5xx >= r.minErrors && e.errors5xx / e.count >= r.minRate)
    .map((e) => {
      const rate = e.errors5xx / e.count;
      const status = e.topServerStatus ? `, mostly ${e.topServerStatus}` : '';
      return {
        kind: 'INVESTIGATE_5XX',
        title: `Investigate 5xx errors on ${endpointLabel(e)}`,
        detail:
          `${pct(rate)} of the requests to ${name(e)} failed with a server error (${int(e.errors5xx)} of ${int(e.count)}${status}). ` +
          'Read the service logs for this route (recentLogs with statusClass: 5 shows the failing requests) and check its dependencies.',
        priority: rate >= 0.5 && e.errors5xx >= 50 ? 'CRITICAL' : rate >= 0.2 ? 'HIGH' : 'MEDIUM',
        service: e.service,
        method: e.method,
        route: e.route,
        affectedRequests: e.errors5xx,
        evidence: [
          { label: '5xx responses', value: e.errors5xx, unit: 'requests' },
          { label: '5xx rate', value: round(rate * 100), unit: '%' },
          { label: 'requests', value: e.count, unit: 'requests' },
          { label: 'share of all 5xx responses', value: round(all5xx > 0 ? (e.errors5xx / all5xx) * 100 : 0), unit: '%' },
          ...(e.topServerStatus ? [{ label: 'commonest 5xx status', value: e.topServerStatus, unit: null }] : []),
        ],
      } satisfies Recommendation;
    });
}

function fixNotFoundRoutes(endpoints: readonly EndpointFacts[]): Recommendation[] {
  const r = RULES.notFound;
  const total = endpoints.reduce((n, e) => n + e.count, 0);
  return endpoints
    .filter((e) => e.notFound >= r.minCount && e.notFound / e.count >= r.minRate)
    .map((e) => {
      const rate = e.notFound / e.count;
      return {
        kind: 'FIX_404_ROUTE',
        title: `Fix clients calling ${endpointLabel(e)} (mostly 404)`,
        detail:
          `${pct(rate)} of the ${int(e.count)} requests to ${name(e)} answered 404: clients are calling an endpoint (or ids) that does not exist. ` +
          'Find the callers (top clients and user agents in endpointDetail) and fix them, or add the endpoint or a redirect if they have a point.',
        priority: total > 0 && e.notFound / total >= 0.01 ? 'MEDIUM' : 'LOW',
        service: e.service,
        method: e.method,
        route: e.route,
        affectedRequests: e.notFound,
        evidence: [
          { label: '404 responses', value: e.notFound, unit: 'requests' },
          { label: '404 share of this route', value: round(rate * 100), unit: '%' },
          { label: 'share of all requests', value: round(total > 0 ? (e.count / total) * 100 : 0), unit: '%' },
        ],
      } satisfies Recommendation;
    });
}

/** A list endpoint: a GET whose last segment is not an id (`/api/products`, not `/api/products/:id`). */
export function isListRoute(route: string): boolean {
  const last = route.split('/').filter(Boolean).pop() ?? '';
  return last !== '' && !last.startsWith(':');
}

function paginateLargeResponses(endpoints: readonly EndpointFacts[]): Recommendation[] {
  const r = RULES.paginate;
  const out: Recommendation[] = [];
  for (const e of endpoints) {
    if (e.method !== 'GET') continue;
    const sized = e.sizes && e.sizes.sampled >= r.minSampled ? e.sizes : null;
    if (sized && sized.avgBytes >= r.minAvgBytes) {
      out.push({
        kind: 'PAGINATE_LARGE_RESPONSES',
        title: `Paginate or trim responses of ${endpointLabel(e)}`,
        detail:
          `${name(e)} sends large responses: ${kb(sized.avgBytes)} on average, ${kb(sized.p95Bytes)} at p95, up to ${kb(sized.maxBytes)} ` +
          `(from the ${int(sized.sampled)} newest requests that logged a size). Add pagination (limit/cursor), field selection or compression.`,
        priority: sized.avgBytes >= 1_048_576 ? 'HIGH' : 'MEDIUM',
        service: e.service,
        method: e.method,
        route: e.route,
        affectedRequests: e.count,
        evidence: [
          { label: 'average response size', value: Math.round(sized.avgBytes), unit: 'bytes' },
          { label: 'p95 response size', value: Math.round(sized.p95Bytes), unit: 'bytes' },
          { label: 'largest response', value: Math.round(sized.maxBytes), unit: 'bytes' },
          { label: 'requests sampled', value: sized.sampled, unit: 'requests' },
          { label: 'average latency', value: round(e.latency.avg ?? 0), unit: 'ms' },
        ],
      });
    } else if (!sized && isListRoute(e.route) && e.count >= r.minRequests && (e.latency.avg ?? 0) >= r.slowListAvgMs) {
      // Without sizes in the logs, a slow list endpoint is the best hint of an unbounded list.
      out.push({
        kind: 'PAGINATE_LARGE_RESPONSES',
        title: `Check ${endpointLabel(e)} returns bounded pages`,
        detail:
          `${name(e)} looks like a list endpoint and averages ${ms(e.latency.avg)} (p95 ${ms(e.latency.p95)}); its logs carry no response sizes. ` +
          'Slow lists are often unbounded: page them (limit/cursor) and index the sort key.',
        priority: 'MEDIUM',
        service: e.service,
        method: e.method,
        route: e.route,
        affectedRequests: e.count,
        evidence: [
          { label: 'average latency', value: round(e.latency.avg ?? 0), unit: 'ms' },
          { label: 'p95 latency', value: round(e.latency.p95 ?? 0), unit: 'ms' },
          { label: 'requests', value: e.count, unit: 'requests' },
        ],
      });
    }
  }
  return out;
}

function rateLimitNoisyClient(clients: ClientFacts | null): Recommendation[] {
  const r = RULES.rateLimit;
  if (!clients || clients.sampleSize < r.minSample || clients.distinctClients < r.minDistinctClients) return [];
  return clients.top
    .filter((c) => c.count / clients.sampleSize >= r.minShare)
    .map((c) => {
      const share = c.count / clients.sampleSize;
      const perMinute = c.count / Math.max(clients.sampleMinutes, 1);
      return {
        kind: 'RATE_LIMIT_CLIENT',
        title: `Rate-limit the noisy client ${c.ip}`,
        detail:
          `One client address (${JSON.stringify(c.ip)}) sent ${pct(share)} of the ${int(clients.sampleSize)} newest requests in the range ` +
          `(about ${perMinute.toFixed(1)} per minute) among ${int(clients.distinctClients)} clients. ` +
          'Check who it is; a per-client rate limit (e.g. 429 with Retry-After) keeps one caller from starving the others.',
        priority: share >= 0.5 ? 'HIGH' : 'MEDIUM',
        service: null,
        method: null,
        route: null,
        affectedRequests: c.count,
        evidence: [
          { label: 'requests from this client', value: c.count, unit: 'requests' },
          { label: 'share of sampled requests', value: round(share * 100), unit: '%' },
          { label: 'request rate', value: round(perMinute), unit: 'req/min' },
          { label: 'distinct clients in sample', value: clients.distinctClients, unit: null },
          { label: 'sampled requests', value: clients.sampleSize, unit: 'requests' },
        ],
      } satisfies Recommendation;
    });
}

function lookAtLatencyAnomalies(anomalies: readonly DetectedAnomaly[]): Recommendation[] {
  const latency = anomalies.filter((a) => a.kind === 'LATENCY');
  const perEndpoint = latency.filter((a) => a.route !== null);
  // The overall series only adds something when no endpoint explains the same window.
  const overall = latency.filter((a) => a.route === null && !perEndpoint.some((e) => e.start < a.end && e.end > a.start));
  return [...perEndpoint, ...overall].map((a) => {
    const minutes = (a.end.getTime() - a.start.getTime()) / 60_000;
    const what = a.route === null || a.method === null ? 'all traffic' : endpointLabel({ method: a.method, route: a.route });
    const at = a.start.toISOString().slice(0, 16).replace('T', ' ');
    return {
      kind: 'INVESTIGATE_LATENCY_ANOMALY',
      title: `Look at the latency jump of ${what} at ${at} UTC`,
      detail: `${a.explanation} Check what changed then: a deploy, a slow dependency (database, upstream API) or saturated resources.`,
      priority: a.severity,
      service: a.service,
      method: a.method,
      route: a.route,
      affectedRequests: a.requests,
      evidence: [
        { label: 'p95 latency at peak', value: round(a.observed), unit: 'ms' },
        { label: 'usual p95 latency', value: round(a.baseline), unit: 'ms' },
        { label: 'robust z-score', value: round(a.score), unit: 'σ' },
        { label: 'duration', value: minutes, unit: 'min' },
        { label: 'requests in window', value: a.requests, unit: 'requests' },
      ],
    } satisfies Recommendation;
  });
}

function optimizeSlowEndpoints(bottlenecks: readonly Bottleneck[], cached: ReadonlySet<string>): Recommendation[] {
  return bottlenecks
    .filter((b) => b.severity !== 'LOW' && !cached.has(key(b)))
    .map((b) => ({
      kind: 'OPTIMIZE_SLOW_ENDPOINT',
      title: `Speed up ${endpointLabel(b)}`,
      detail: `${b.explanation} Profile it: slow queries (indexes, N+1), blocking upstream calls (timeouts, parallel calls) or work that could move off the request path.`,
      priority: b.severity,
      service: b.service,
      method: b.method,
      route: b.route,
      affectedRequests: b.count,
      evidence: b.evidence,
    }));
}

/** All suggestions, most urgent first, then by how many requests they concern. */
export function recommend(input: RecommendationInput): Recommendation[] {
  const cache = cacheHotSlowGets(input.endpoints);
  const cached = new Set(cache.map(key));
  const all = [
    ...cache,
    ...investigateServerErrors(input.endpoints),
    ...fixNotFoundRoutes(input.endpoints),
    ...paginateLargeResponses(input.endpoints),
    ...rateLimitNoisyClient(input.clients),
    ...lookAtLatencyAnomalies(input.anomalies),
    ...optimizeSlowEndpoints(input.bottlenecks, cached),
  ];
  return all.sort(
    (a, b) =>
      byUrgency(a.priority, b.priority) ||
      b.affectedRequests - a.affectedRequests ||
      (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
      (key(a) < key(b) ? -1 : 1),
  );
}
