import { relativeChange } from '../../components/charts/chart-data.ts';

export interface ServiceFigures {
  count: number;
  errors: number;
  endpointCount: number;
  p95: number | null;
}

export interface Kpis {
  requests: number;
  perSecond: number;
  errorRate: number | null;
  /** Exact p95 when one service is in scope; otherwise the highest per-bucket p95 (labelled so). */
  p95: number | null;
  p95IsPeak: boolean;
  activeEndpoints: number;
}

export interface KpiChanges {
  requests: number | null;
  perSecond: number | null;
  /** Difference in percentage points (0.012 = +1.2 pp), not a relative change. */
  errorRate: number | null;
  p95: number | null;
  activeEndpoints: number | null;
}

/**
 * The overview's headline figures from per-service totals (which add up exactly) and the
 * traffic series. Percentiles do not add up across services, so with several services the p95
 * card shows the worst bucket's p95 instead, and says so.
 */
export function computeKpis(services: readonly ServiceFigures[], bucketP95s: readonly (number | null)[], rangeSeconds: number): Kpis {
  const requests = services.reduce((sum, s) => sum + s.count, 0);
  const errors = services.reduce((sum, s) => sum + s.errors, 0);
  const peaks = bucketP95s.filter((v): v is number => typeof v === 'number');
  const single = services.length === 1;
  return {
    requests,
    perSecond: rangeSeconds > 0 ? requests / rangeSeconds : 0,
    errorRate: requests > 0 ? errors / requests : null,
    p95: single ? (services[0]?.p95 ?? null) : peaks.length ? Math.max(...peaks) : null,
    p95IsPeak: !single,
    activeEndpoints: services.reduce((sum, s) => sum + s.endpointCount, 0),
  };
}

export function compareKpis(current: Kpis, previous: Kpis): KpiChanges {
  const hadTraffic = previous.requests > 0;
  return {
    requests: relativeChange(current.requests, previous.requests),
    perSecond: relativeChange(current.perSecond, previous.perSecond),
    errorRate: hadTraffic && current.errorRate !== null && previous.errorRate !== null ? current.errorRate - previous.errorRate : null,
    p95: hadTraffic && current.p95IsPeak === previous.p95IsPeak ? relativeChange(current.p95, previous.p95) : null,
    activeEndpoints: hadTraffic ? relativeChange(current.activeEndpoints, previous.activeEndpoints) : null,
  };
}
