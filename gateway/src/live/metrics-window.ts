import { HistogramBuilder, summarizeLatency, type LatencySummary } from '../storage/histogram.ts';
import { endpointLabel } from '../domain/endpoint.ts';

/** The fields of a stored record the live metrics read. */
export interface MeasuredRecord {
  service: string;
  method: string;
  route: string;
  status: number;
  latencyMs: number;
}

/** Live figures for one window [windowStart, windowEnd) of arrival time. */
export interface LiveMetrics {
  windowStart: Date;
  windowEnd: Date;
  service: string | null;
  requests: number;
  requestsPerSecond: number;
  errors4xx: number;
  errors5xx: number;
  /** Share of requests answered 4xx or 5xx (0 when there were none). */
  errorRate: number;
  /** Share of requests answered 5xx (0 when there were none). */
  serverErrorRate: number;
  latency: LatencySummary;
  /** Distinct (service, method, route) seen in the window. */
  activeEndpoints: number;
}

interface SecondStats {
  count: number;
  errors4xx: number;
  errors5xx: number;
  latencySum: number;
  latencyMax: number;
  histogram: HistogramBuilder;
  endpoints: Set<string>;
}

const SECOND = 1000;

/**
 * Recent records summed per (arrival second, service), so any subscriber can read any window of
 * whole seconds without touching the database. Arrival time rather than the record's own
 * timestamp: records reach the gateway a flush interval late, so "the last 5 s" by timestamp
 * would always be missing its newest part, while windows of arrival time tile exactly — every
 * record is counted in exactly one window of a subscriber.
 */
export class LiveMetricsWindow {
  private readonly seconds = new Map<number, Map<string, SecondStats>>();
  private lastSecond = -1;

  constructor(
    /** How far back windows can reach; older seconds are forgotten. */
    private readonly retainSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(records: readonly MeasuredRecord[]): void {
    if (records.length === 0) return;
    const second = Math.floor(this.now() / SECOND);
    if (second !== this.lastSecond) {
      this.lastSecond = second;
      this.forgetBefore(second - this.retainSeconds);
    }
    let services = this.seconds.get(second);
    if (!services) {
      services = new Map();
      this.seconds.set(second, services);
    }
    for (const r of records) {
      let s = services.get(r.service);
      if (!s) {
        s = { count: 0, errors4xx: 0, errors5xx: 0, latencySum: 0, latencyMax: 0, histogram: new HistogramBuilder(), endpoints: new Set() };
        services.set(r.service, s);
      }
      s.count++;
      if (r.status >= 500) s.errors5xx++;
      else if (r.status >= 400) s.errors4xx++;
      s.latencySum += r.latencyMs;
      if (r.latencyMs > s.latencyMax) s.latencyMax = r.latencyMs;
      s.histogram.add(r.latencyMs);
      s.endpoints.add(endpointLabel(r));
    }
  }

  /** Figures for arrivals in [from, to) (milliseconds, whole seconds), one service or all. */
  summarize(from: number, to: number, service: string | null = null): LiveMetrics {
    const histogram = new HistogramBuilder();
    const endpoints = new Set<string>();
    let count = 0;
    let errors4xx = 0;
    let errors5xx = 0;
    let latencySum = 0;
    let latencyMax = 0;
    for (const [second, services] of this.seconds) {
      if (second * SECOND < from || second * SECOND >= to) continue;
      for (const [name, s] of services) {
        if (service !== null && name !== service) continue;
        count += s.count;
        errors4xx += s.errors4xx;
        errors5xx += s.errors5xx;
        latencySum += s.latencySum;
        latencyMax = Math.max(latencyMax, s.latencyMax);
        histogram.addSparse(s.histogram.toSparse());
        for (const endpoint of s.endpoints) endpoints.add(`${name} ${endpoint}`);
      }
    }
    const seconds = Math.max(1, (to - from) / SECOND);
    return {
      windowStart: new Date(from),
      windowEnd: new Date(to),
      service,
      requests: count,
      requestsPerSecond: count / seconds,
      errors4xx,
      errors5xx,
      errorRate: count ? (errors4xx + errors5xx) / count : 0,
      serverErrorRate: count ? errors5xx / count : 0,
      latency: summarizeLatency(histogram.toSparse(), count, latencySum, count ? latencyMax : null),
      activeEndpoints: endpoints.size,
    };
  }

  private forgetBefore(second: number): void {
    for (const key of this.seconds.keys()) if (key < second) this.seconds.delete(key);
  }
}

/**
 * Window boundaries for a subscriber: aligned to multiples of the interval since the epoch (so
 * every dashboard ticks together) and contiguous, so a late tick widens one window rather than
 * leaving a gap.
 */
export function alignedBoundary(now: number, intervalSeconds: number): number {
  const step = intervalSeconds * SECOND;
  return Math.floor(now / step) * step;
}
