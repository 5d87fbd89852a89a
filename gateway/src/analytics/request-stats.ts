import type { LatencySummary } from './histogram.ts';
import { latencyOf, type RollupMeasures } from './rollup-query.ts';

/** An endpoint: templated route, method and the service that serves it. */
export interface EndpointKey {
  service: string;
  method: string;
  route: string;
}

/** Counts, rates and latency of a set of requests (an endpoint, a bucket, a service…). */
export interface RequestStats {
  count: number;
  /** Share of all requests in the analysed scope (0..1). */
  share: number;
  /** 4xx + 5xx. */
  errors: number;
  errors4xx: number;
  errors5xx: number;
  errorRate: number;
  clientErrorRate: number;
  serverErrorRate: number;
  latency: LatencySummary;
}

/** n / d, and 0 when there is nothing to divide (an empty bucket has no errors, not NaN). */
export const ratio = (n: number, d: number): number => (d > 0 ? n / d : 0);

export function requestStats(m: RollupMeasures, total: number): RequestStats {
  const errors = m.errors4xx + m.errors5xx;
  return {
    count: m.count,
    share: ratio(m.count, total),
    errors,
    errors4xx: m.errors4xx,
    errors5xx: m.errors5xx,
    errorRate: ratio(errors, m.count),
    clientErrorRate: ratio(m.errors4xx, m.count),
    serverErrorRate: ratio(m.errors5xx, m.count),
    latency: latencyOf(m),
  };
}

/** Stable order for ties: service, method, route. */
export function compareEndpoints(a: EndpointKey, b: EndpointKey): number {
  return compareText(a.service, b.service) || compareText(a.method, b.method) || compareText(a.route, b.route);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const endpointId = (e: EndpointKey): string => `${e.service} ${e.method} ${e.route}`;
