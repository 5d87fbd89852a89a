import type { Evidence } from '../../domain/evidence.ts';
import { byUrgency, severityOfRank, type Severity } from '../../domain/severity.ts';
import { median } from '../robust-stats.ts';
import type { LatencySummary } from '../../storage/histogram.ts';
import { endpointKey, endpointLabel } from '../../domain/endpoint.ts';

/**
 * Pure bottleneck rules (bottlenecks.ts does the reading). An endpoint is a bottleneck when its
 * p95 is over an absolute threshold, far above its own p95 in the previous period, or far above
 * the other endpoints of its service; severity grows with how far over the line it is and with
 * its share of all the time the service spends answering.
 */

export type BottleneckReason = 'P95_OVER_THRESHOLD' | 'SLOWER_THAN_BEFORE' | 'SLOWER_THAN_SERVICE';

export interface EndpointLatency {
  service: string;
  method: string;
  route: string;
  count: number;
  latency: LatencySummary;
}

export interface Bottleneck extends EndpointLatency {
  reasons: BottleneckReason[];
  severity: Severity;
  /** p95 of the same endpoint over the previous period of the same length; null without enough requests then. */
  baselineP95: number | null;
  baselineCount: number;
  /** Median p95 of the service's endpoints (null with fewer than 3 of them). */
  serviceMedianP95: number | null;
  /** count × avg: total time spent answering this endpoint, ms. */
  timeSpentMs: number;
  /** timeSpentMs / time spent on every endpoint in scope (0..1). */
  timeShare: number;
  explanation: string;
  evidence: Evidence[];
}

export interface BottleneckRules {
  p95ThresholdMs: number;
  /** Endpoints with fewer requests (now, or in the previous period for a comparison) are not judged. */
  minRequests: number;
}

/** A regression: p95 at least this multiple of the previous period's, and this many ms more. */
const REGRESSION_RATIO = 2;
const REGRESSION_MIN_MS = 50;
/** An outlier in its service: p95 at least this multiple of the service median, and this many ms more. */
const OUTLIER_RATIO = 3;
const OUTLIER_MIN_MS = 100;
/** Endpoints a service needs before "slower than the rest of the service" means anything. */
const MIN_SERVICE_ENDPOINTS = 3;

const round = (v: number): number => Math.round(v * 1000) / 1000;
const ms = (v: number): string => `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')} ms`;
const times = (v: number): string => `${v.toFixed(1)}×`;

function severityOf(b: Omit<Bottleneck, 'severity' | 'explanation' | 'evidence'>, rules: BottleneckRules): Severity {
  const p95 = b.latency.p95 ?? 0;
  let rank = 0;
  if (b.reasons.includes('P95_OVER_THRESHOLD')) {
    const over = p95 / rules.p95ThresholdMs;
    rank = Math.max(rank, over >= 4 ? 3 : over >= 2 ? 2 : 1);
  }
  if (b.reasons.includes('SLOWER_THAN_BEFORE') && b.baselineP95) {
    rank = Math.max(rank, p95 / b.baselineP95 >= 4 ? 2 : 1);
  }
  // Where the time goes matters: a quarter of all request time on one slow endpoint is one level worse.
  if (b.timeShare >= 0.25) rank = Math.min(3, rank + 1);
  return severityOfRank(rank);
}

function explain(b: Omit<Bottleneck, 'explanation' | 'evidence'>, rules: BottleneckRules): string {
  const p95 = b.latency.p95 ?? 0;
  const parts: string[] = [];
  if (b.reasons.includes('P95_OVER_THRESHOLD'))
    parts.push(`p95 ${ms(p95)} is ${times(p95 / rules.p95ThresholdMs)} the ${ms(rules.p95ThresholdMs)} threshold`);
  else parts.push(`p95 ${ms(p95)}`);
  if (b.baselineP95 !== null) {
    parts.push(
      b.reasons.includes('SLOWER_THAN_BEFORE')
        ? `${times(p95 / b.baselineP95)} its ${ms(b.baselineP95)} in the previous period`
        : `previous period ${ms(b.baselineP95)}`,
    );
  }
  if (b.serviceMedianP95 !== null) {
    parts.push(
      b.reasons.includes('SLOWER_THAN_SERVICE')
        ? `${times(p95 / b.serviceMedianP95)} the ${ms(b.serviceMedianP95)} median of ${b.service}'s endpoints`
        : `service median ${ms(b.serviceMedianP95)}`,
    );
  }
  const share = `${(b.timeShare * 100).toFixed(1)}%`;
  return `${endpointLabel(b)} (${b.service}): ${parts.join('; ')}. Its ${b.count.toLocaleString('en-US')} requests took ${share} of all request time.`;
}

function evidenceOf(b: Omit<Bottleneck, 'explanation' | 'evidence'>, rules: BottleneckRules): Evidence[] {
  const items: Evidence[] = [
    { label: 'p95 latency', value: round(b.latency.p95 ?? 0), unit: 'ms' },
    { label: 'p99 latency', value: round(b.latency.p99 ?? 0), unit: 'ms' },
    { label: 'average latency', value: round(b.latency.avg ?? 0), unit: 'ms' },
    { label: 'p95 threshold', value: rules.p95ThresholdMs, unit: 'ms' },
  ];
  if (b.baselineP95 !== null) items.push({ label: 'p95 in the previous period', value: round(b.baselineP95), unit: 'ms' });
  if (b.serviceMedianP95 !== null) items.push({ label: 'median p95 of the service', value: round(b.serviceMedianP95), unit: 'ms' });
  items.push(
    { label: 'requests', value: b.count, unit: 'requests' },
    { label: 'share of total request time', value: round(b.timeShare * 100), unit: '%' },
  );
  return items;
}

/**
 * Judges every endpoint of `current` (the range) against the threshold, its own `previous`
 * period and its service's median, and returns the bottlenecks, most severe first (then by share
 * of request time, then by p95).
 */
export function findBottlenecks(
  current: readonly EndpointLatency[],
  previous: readonly EndpointLatency[],
  rules: BottleneckRules,
): Bottleneck[] {
  const spent = (e: EndpointLatency): number => e.count * (e.latency.avg ?? 0);
  const totalTime = current.reduce((sum, e) => sum + spent(e), 0);
  const judged = current.filter((e) => e.count >= rules.minRequests && e.latency.p95 !== null);
  const before = new Map(previous.map((e) => [endpointKey(e), e]));

  const serviceP95s = new Map<string, number[]>();
  for (const e of judged) {
    const list = serviceP95s.get(e.service) ?? [];
    list.push(e.latency.p95!);
    serviceP95s.set(e.service, list);
  }

  const found: Bottleneck[] = [];
  for (const e of judged) {
    const p95 = e.latency.p95!;
    const prev = before.get(endpointKey(e));
    const baselineP95 = prev && prev.count >= rules.minRequests ? prev.latency.p95 : null;
    const peers = serviceP95s.get(e.service) ?? [];
    const serviceMedianP95 = peers.length >= MIN_SERVICE_ENDPOINTS ? median(peers) : null;
    const reasons: BottleneckReason[] = [];
    if (p95 > rules.p95ThresholdMs) reasons.push('P95_OVER_THRESHOLD');
    if (baselineP95 !== null && p95 >= REGRESSION_RATIO * baselineP95 && p95 - baselineP95 >= REGRESSION_MIN_MS)
      reasons.push('SLOWER_THAN_BEFORE');
    if (serviceMedianP95 !== null && p95 >= OUTLIER_RATIO * serviceMedianP95 && p95 - serviceMedianP95 >= OUTLIER_MIN_MS) {
      reasons.push('SLOWER_THAN_SERVICE');
    }
    if (reasons.length === 0) continue;
    const timeSpentMs = spent(e);
    const partial = {
      ...e,
      reasons,
      baselineP95,
      baselineCount: prev?.count ?? 0,
      serviceMedianP95,
      timeSpentMs,
      timeShare: totalTime > 0 ? timeSpentMs / totalTime : 0,
    };
    const withSeverity = { ...partial, severity: severityOf(partial, rules) };
    found.push({ ...withSeverity, explanation: explain(withSeverity, rules), evidence: evidenceOf(withSeverity, rules) });
  }
  return found.sort(
    (a, b) =>
      byUrgency(a.severity, b.severity) ||
      b.timeShare - a.timeShare ||
      (b.latency.p95 ?? 0) - (a.latency.p95 ?? 0) ||
      (endpointKey(a) < endpointKey(b) ? -1 : 1),
  );
}
