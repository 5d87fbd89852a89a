import type pg from 'pg';
import { getAnomalies, MAX_ANOMALY_RANGE_DAYS } from '../anomalies/read.ts';
import type { AnomalyReportCache } from '../anomalies/report-cache.ts';
import { previousPeriod, DEFAULT_BOTTLENECK_MIN_REQUESTS, DEFAULT_P95_THRESHOLD_MS } from '../bottlenecks/read.ts';
import { findBottlenecks } from '../bottlenecks/rules.ts';
import { readEndpointStats } from '../../analytics/endpoint-usage.ts';
import { readResponseSizes, readTopClients } from '../../storage/raw-recent-sample.ts';
import { recommend, type EndpointFacts, type Recommendation } from './rules.ts';
import { readRollups, type AnalyticsFilter } from '../../storage/rollup-read.ts';
import type { ResolvedRange } from '../../domain/time-range.ts';
import { endpointKey } from '../../domain/endpoint.ts';

export interface RecommendationQuery {
  range: ResolvedRange;
  filter?: AnalyticsFilter;
  p95ThresholdMs?: number;
  /** Current time and the gateway's anomaly report cache, passed on to the anomaly analysis. */
  now?: number;
  anomalyCache?: AnomalyReportCache;
}

interface StatusFacts {
  notFound: number;
  topServerStatus: number | null;
  topServerCount: number;
}

async function readStatusFacts(pool: pg.Pool, range: ResolvedRange, filter: AnalyticsFilter): Promise<Map<string, StatusFacts>> {
  const rows = await readRollups(pool, { range, filter, groupBy: ['service', 'method', 'route', 'status'], histograms: false });
  const facts = new Map<string, StatusFacts>();
  for (const r of rows) {
    const k = endpointKey(r);
    const f = facts.get(k) ?? { notFound: 0, topServerStatus: null, topServerCount: 0 };
    if (r.status === 404) f.notFound += r.count;
    if (r.status >= 500 && (r.count > f.topServerCount || (r.count === f.topServerCount && r.status < (f.topServerStatus ?? Infinity)))) {
      f.topServerStatus = r.status;
      f.topServerCount = r.count;
    }
    facts.set(k, f);
  }
  return facts;
}

/**
 * Ranked, concrete suggestions for a range: gathers per-endpoint latency, status and error
 * figures (rollups), bottlenecks (this period against the previous one), anomalies, and response
 * sizes and client addresses (a bounded sample of raw logs), then applies the rules.
 */
export async function getRecommendations(pool: pg.Pool, query: RecommendationQuery): Promise<Recommendation[]> {
  const filter = query.filter ?? {};
  const scope: AnalyticsFilter = { service: filter.service };
  const withinAnomalyLimit = query.range.to.getTime() - query.range.from.getTime() <= MAX_ANOMALY_RANGE_DAYS * 86_400_000;
  const [current, previous, statuses, sizes, clients, anomalies] = await Promise.all([
    readEndpointStats(pool, query.range, scope),
    readEndpointStats(pool, previousPeriod(query.range), scope),
    readStatusFacts(pool, query.range, scope),
    readResponseSizes(pool, query.range, filter),
    readTopClients(pool, query.range, filter),
    withinAnomalyLimit ? getAnomalies(pool, { range: query.range, filter, now: query.now, cache: query.anomalyCache }).then((r) => r.anomalies) : Promise.resolve([]),
  ]);
  const method = filter.method?.toUpperCase();
  const inFilter = (e: { route: string; method: string }): boolean =>
    (!filter.route || e.route === filter.route) && (!method || e.method === method);

  const endpoints: EndpointFacts[] = current.filter(inFilter).map((e) => {
    const s = statuses.get(endpointKey(e));
    return {
      service: e.service,
      method: e.method,
      route: e.route,
      count: e.count,
      share: e.share,
      errors5xx: e.errors5xx,
      notFound: s?.notFound ?? 0,
      topServerStatus: s?.topServerStatus ?? null,
      latency: e.latency,
      sizes: sizes.get(endpointKey(e)) ?? null,
    };
  });
  const bottlenecks = findBottlenecks(current, previous, {
    p95ThresholdMs: query.p95ThresholdMs ?? DEFAULT_P95_THRESHOLD_MS,
    minRequests: DEFAULT_BOTTLENECK_MIN_REQUESTS,
  }).filter(inFilter);
  return recommend({ endpoints, bottlenecks, anomalies, clients });
}
