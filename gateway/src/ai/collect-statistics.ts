import { endpointLabel, type EndpointKey } from '../domain/endpoint.ts';
import type pg from 'pg';
import { readEndpointStats, type EndpointStats } from '../analytics/endpoint-usage.ts';
import { getErrorDistribution, getStatusEndpointTop } from '../analytics/error-distribution.ts';
import { requestStats, type RequestStats } from '../analytics/request-stats.ts';
import { combineMeasures, EMPTY_MEASURES, readRollups } from '../storage/rollup-read.ts';
import { getTraffic } from '../analytics/traffic.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import type { Evidence } from '../domain/evidence.ts';
import { round } from './format.ts';
import type { DetectedAnomaly } from '../insights/anomalies/rules.ts';
import { getAnomalies } from '../insights/anomalies/read.ts';
import { getBottlenecks } from '../insights/bottlenecks/read.ts';
import { getRecommendations } from '../insights/recommendations/read.ts';
import type { AnomalyFigures, EndpointFigures, FiringAlertFigures, TotalsFigures, WindowStatistics } from './window-statistics.ts';
import { listRuleStatuses } from '../storage/alerts.ts';
import { describeCondition, formatValue } from '../alerts/conditions.ts';

/** The baseline every window is compared with: the hour just before it. */
const BASELINE_MINUTES = 60;

const MAX_ENDPOINTS = 20;

const r1 = (v: number | null) => (v == null ? null : round(v, 1));
const pct = (ratio: number) => round(ratio * 100, 2);

function totalsOf(s: Omit<RequestStats, 'share'>, minutes: number): TotalsFigures {
  return {
    requests: s.count,
    requestsPerMinute: round(minutes > 0 ? s.count / minutes : 0, 2),
    errors4xx: s.errors4xx,
    errors5xx: s.errors5xx,
    errorRatePct: pct(s.errorRate),
    serverErrorRatePct: pct(s.serverErrorRate),
    avgMs: r1(s.latency.avg),
    p50Ms: r1(s.latency.p50),
    p95Ms: r1(s.latency.p95),
    p99Ms: r1(s.latency.p99),
    maxMs: r1(s.latency.max),
  };
}

const ANOMALY_KIND: Record<DetectedAnomaly['kind'], AnomalyFigures['kind']> = {
  TRAFFIC_SPIKE: 'volume',
  TRAFFIC_DROP: 'volume',
  ERROR_RATE: 'errors',
  LATENCY: 'latency',
};

/** An anomaly of the analytics in the analyst's terms (rates as percentages). */
function anomalyFigures(
  a: DetectedAnomaly,
  label: (e: { service: string; method: string; route: string }) => string,
): AnomalyFigures {
  const asPct = a.unit === 'ratio';
  return {
    kind: ANOMALY_KIND[a.kind],
    endpoint: a.method && a.route ? label({ service: a.service ?? '', method: a.method, route: a.route }) : null,
    from: a.start,
    to: a.end,
    value: round(asPct ? a.observed * 100 : a.observed, 2),
    baseline: round(asPct ? a.baseline * 100 : a.baseline, 2),
    unit: asPct ? '%' : a.unit,
    score: round(a.score, 1),
    direction: a.direction === 'UP' ? 'up' : 'down',
  };
}

/** Evidence of one endpoint's finding names the endpoint ("GET /api/slow p95 latency"), so figures of several findings stay apart. */
const ofEndpoint = (endpoint: string, e: Evidence): Evidence =>
  e.label.includes(endpoint) ? e : { ...e, label: `${endpoint} ${e.label}` };

const key = (e: { service: string; method: string; route: string }) => `${e.service}\u0001${e.method}\u0001${e.route}`;

/** The endpoints worth showing: busiest, slowest, most 5xx and most 4xx, at most 20. */
function pickEndpoints(rows: EndpointStats[]): EndpointStats[] {
  const by = (score: (e: EndpointStats) => number, n: number, min = 1) =>
    [...rows]
      .filter((e) => e.count >= min && score(e) > 0)
      .sort((a, b) => score(b) - score(a))
      .slice(0, n);
  const picked = new Map<string, EndpointStats>();
  for (const e of [
    ...by((e) => e.count, 10),
    ...by((e) => e.latency.p95 ?? 0, 8, 5),
    ...by((e) => e.errors5xx, 5),
    ...by((e) => e.errors4xx, 3),
  ]) {
    if (picked.size >= MAX_ENDPOINTS) break;
    picked.set(key(e), e);
  }
  return [...picked.values()];
}

/**
 * Gathers the statistics of `range` (and of the hour before it, as the baseline) from the
 * analytics functions: overall totals, a per-minute series, the endpoints that matter with their
 * own baselines, and status codes with the endpoints behind them.
 */
export async function collectWindowStatistics(
  pool: pg.Pool,
  input: {
    range: ResolvedRange;
    service: string | null;
    timeZone: string;
    /** The window ends now: include the alert rules firing now (a past window's statistics must not). */
    alertsNow?: boolean;
  },
): Promise<WindowStatistics> {
  const { range, service } = input;
  const minutes = Math.max(1, Math.round((range.to.getTime() - range.from.getTime()) / 60_000));
  const baselineRange = { from: new Date(range.from.getTime() - BASELINE_MINUTES * 60_000), to: range.from };
  const filter = { service };
  const [
    overall,
    baselineOverall,
    traffic,
    endpoints,
    baselineEndpoints,
    distribution,
    statusTop,
    anomalies,
    bottlenecks,
    recommendations,
    firingAlerts,
  ] = await Promise.all([
    readRollups(pool, { range, filter, groupBy: [] }),
    readRollups(pool, { range: baselineRange, filter, groupBy: ['bucket'], bucketSeconds: 60 }),
    getTraffic(pool, { range, filter, bucketSeconds: minutes <= 120 ? 60 : 300 }),
    readEndpointStats(pool, range, filter),
    readEndpointStats(pool, baselineRange, filter),
    getErrorDistribution(pool, { range, filter }),
    getStatusEndpointTop(pool, { range, filter, limit: 3 }),
    getAnomalies(pool, { range, filter }),
    getBottlenecks(pool, { range, filter }),
    getRecommendations(pool, { range, filter }),
    input.alertsNow ? firingAlertsOf(pool, service) : Promise.resolve([]),
  ]);

  const multiService = !service && new Set([...endpoints, ...baselineEndpoints].map((e) => e.service)).size > 1;
  const label = (e: EndpointKey) => endpointLabel(e, multiService);
  const baselineByKey = new Map(baselineEndpoints.map((e) => [key(e), e]));
  const baseline = requestStats(combineMeasures(baselineOverall), 0);
  // A baseline hour that only started filling recently (a fresh install, a new service) is
  // averaged over the minutes it actually covers, or every window would look like a spike.
  const firstBaselineMinute = Math.min(...baselineOverall.map((b) => b.bucket.getTime()), baselineRange.to.getTime());
  const baselineMinutes = Math.max(1, Math.round((baselineRange.to.getTime() - firstBaselineMinute) / 60_000));

  const endpointFigures: EndpointFigures[] = pickEndpoints(endpoints).map((e) => {
    const before = baselineByKey.get(key(e));
    return {
      endpoint: label(e),
      service: e.service,
      method: e.method,
      route: e.route,
      ...totalsOf(e, minutes),
      baseline: before ? totalsOf(before, baselineMinutes) : null,
    };
  });
  const topByStatus = new Map(statusTop.map((s) => [s.status, s.endpoints]));

  return {
    window: { from: range.from, to: range.to, minutes },
    baselineWindow: { ...baselineRange, minutesCovered: baseline.count > 0 ? baselineMinutes : 0 },
    service,
    timeZone: input.timeZone,
    totals: totalsOf(requestStats(overall[0] ?? EMPTY_MEASURES, 0), minutes),
    baselineTotals: baseline.count > 0 ? totalsOf(baseline, baselineMinutes) : null,
    perMinute: traffic.points.map((p) => ({
      minute: p.bucket,
      requests: p.count,
      errors4xx: p.errors4xx,
      errors5xx: p.errors5xx,
      p95Ms: r1(p.latency.p95),
    })),
    endpoints: endpointFigures,
    statuses: distribution.byStatus.map((s) => ({
      status: s.status,
      count: s.count,
      sharePct: pct(s.share),
      topEndpoints: (topByStatus.get(s.status) ?? []).map((e) => `${label(e)} (${e.count})`),
    })),
    anomalies: anomalies.anomalies.map((a) => anomalyFigures(a, label)),
    firingAlerts,
    bottlenecks: bottlenecks.slice(0, 10).map((b) => ({
      endpoint: label(b),
      text: b.explanation,
      severity: b.severity.toLowerCase(),
      standing: !b.reasons.includes('SLOWER_THAN_BEFORE'),
      evidence: b.evidence.slice(0, 6).map((e) => ofEndpoint(label(b), e)),
    })),
    recommendations: recommendations.slice(0, 10).map((r) => ({
      endpoint: r.method && r.route ? label({ service: r.service ?? '', method: r.method, route: r.route }) : null,
      text: `${r.title}: ${r.detail}`,
      severity: r.priority.toLowerCase(),
      standing: false,
      evidence: r.evidence
        .slice(0, 6)
        .map((e) => (r.method && r.route ? ofEndpoint(label({ service: r.service ?? '', method: r.method, route: r.route }), e) : e)),
    })),
  };
}

/** Rules firing now over `service` (or over every service), most recent first. */
async function firingAlertsOf(pool: pg.Pool, service: string | null): Promise<FiringAlertFigures[]> {
  const firing = await listRuleStatuses(pool, ['firing']);
  return firing
    .filter(({ rule }) => service === null || rule.service === null || rule.service === service)
    .slice(0, 10)
    .map(({ rule, status, lastValue }) => ({
      rule: rule.name,
      severity: rule.severity,
      condition: describeCondition(rule),
      value: formatValue(rule.kind, lastValue),
      firingSince: status.firingSince,
    }));
}
