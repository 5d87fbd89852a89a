/**
 * The compact picture of a recent window that an analysis rests on: totals, a per-minute
 * series, the endpoints that matter (busiest, slowest, most failing) each beside its own
 * baseline, status codes, and the anomalies, bottlenecks and recommendations of the insight
 * analyses. It is what the model receives (never raw logs wholesale) and what the offline
 * analyst reasons over. Ratios are percentages, latencies milliseconds, rounded for brevity.
 */
export interface LatencyFigures {
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface TotalsFigures extends LatencyFigures {
  requests: number;
  requestsPerMinute: number;
  errors4xx: number;
  errors5xx: number;
  errorRatePct: number;
  serverErrorRatePct: number;
}

export interface EndpointFigures extends TotalsFigures {
  /** "METHOD /route", prefixed by the service when the window spans several services. */
  endpoint: string;
  service: string;
  method: string;
  route: string;
  /** The same endpoint over the baseline window, when it had traffic then. */
  baseline: TotalsFigures | null;
}

export interface MinuteFigures {
  minute: Date;
  requests: number;
  errors4xx: number;
  errors5xx: number;
  p95Ms: number | null;
}

export interface StatusFigures {
  status: number;
  count: number;
  sharePct: number;
  /** Endpoints answering this status most, "METHOD /route (count)". */
  topEndpoints: string[];
}

export type AnomalyKind = 'latency' | 'errors' | 'volume';

export interface AnomalyFigures {
  kind: AnomalyKind;
  /** Null for the whole service/system. */
  endpoint: string | null;
  from: Date;
  to: Date;
  value: number;
  baseline: number;
  unit: string | null;
  /** Robust z-score (or the analysis's own score). */
  score: number;
  direction: 'up' | 'down';
}

/** A finding of the bottleneck or recommendation analyses, reduced to text and numbers (English). */
export interface NotedFinding {
  endpoint: string | null;
  text: string;
  /** critical, high, medium or low, as the analysis rated it. */
  severity: string;
  /** True for a standing condition (slow all along), false for a change against the previous period. */
  standing: boolean;
  evidence: { label: string; value: number; unit: string | null }[];
}

/** An alert rule firing when the statistics were taken (its figures as the evaluator last saw them). */
export interface FiringAlertFigures {
  rule: string;
  /** info, warning or critical. */
  severity: string;
  /** The condition in words, e.g. "5xx rate > 20.0 % over 2m (shop)". */
  condition: string;
  /** The last value in the rule's unit, e.g. "60.0 %". */
  value: string;
  firingSince: Date | null;
}

export interface WindowStatistics {
  window: { from: Date; to: Date; minutes: number };
  /** The window the baselines are taken from (just before `window`); minutesCovered: from its first minute with traffic. */
  baselineWindow: { from: Date; to: Date; minutesCovered: number };
  service: string | null;
  /** IANA zone used when times are written for people. */
  timeZone: string;
  totals: TotalsFigures;
  baselineTotals: TotalsFigures | null;
  perMinute: MinuteFigures[];
  endpoints: EndpointFigures[];
  statuses: StatusFigures[];
  anomalies: AnomalyFigures[];
  /** Alert rules firing now, for the window's service (rules over all services included); empty for windows that do not end now. */
  firingAlerts: FiringAlertFigures[];
  bottlenecks: NotedFinding[];
  recommendations: NotedFinding[];
}
