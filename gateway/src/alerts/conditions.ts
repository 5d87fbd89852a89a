import type { AlertConditionKind, AlertRule } from '../domain/alert.ts';
import type { Verdict } from './state-machine.ts';

/** The figures of a rule's window, read from the rollups. */
export interface WindowFigures {
  /** Requests in the window. */
  count: number;
  errors4xx: number;
  errors5xx: number;
  p95: number | null;
  p99: number | null;
  /** Whole minutes the window covered (rollups are per minute). */
  minutes: number;
  /** Anomaly rules: anomalies of the rule's kind and severity found in the window. */
  anomalies?: number;
  /** Ingest-lag rules: p95 record lag (s) of the arrivals in the window; null without arrivals. `count` is their records. */
  lagSeconds?: number | null;
}

export interface Evaluation extends Verdict {
  /** The measured value in the rule's unit; null when the window holds too few requests to say. */
  value: number | null;
}

/** Direction of a condition: "above" fires over the threshold, "below" under it. */
export const directionOf = (kind: AlertConditionKind): 'above' | 'below' =>
  kind === 'request_rate_below' || kind === 'no_data' ? 'below' : 'above';

/** Which kinds need latency histograms (the rest are counts-only reads, cheaper). */
export const needsLatency = (kind: AlertConditionKind): boolean => kind === 'p95' || kind === 'p99';

/** Kinds read from the ingest bookkeeping (per service only), not from the rollups. */
export const readsArrivals = (kind: AlertConditionKind): boolean => kind === 'ingest_lag';

/** The unit a kind's threshold is in, for messages. */
export function unitOf(kind: AlertConditionKind): string {
  switch (kind) {
    case 'error_rate':
    case 'server_error_rate':
      return 'ratio';
    case 'p95':
    case 'p99':
      return 'ms';
    case 'request_rate_above':
    case 'request_rate_below':
      return 'requests/min';
    case 'no_data':
      return 'requests';
    case 'ingest_lag':
      return 's';
    case 'anomaly':
      return 'anomalies';
  }
}

type Condition = Pick<AlertRule, 'kind' | 'threshold' | 'resolveThreshold' | 'minRequests'>;

/**
 * Judges one window. Rates and percentiles need `minRequests` requests (4 requests with one
 * error are not a 25 % error rate): below that there is no evidence, which neither fires nor
 * keeps an alert firing (a service that stops answering is what `no_data` is for). `no_data`
 * fires when the window holds no record at all. `ingest_lag` counts the records that arrived in
 * the window, whatever their own timestamps.
 */
export function evaluateCondition(rule: Condition, w: WindowFigures): Evaluation {
  const value = measure(rule.kind, w);
  if (rule.kind === 'anomaly') {
    // The anomaly detector applies its own volume floors; any finding in the window counts.
    const found = w.anomalies ?? 0;
    return { value: found, breaching: found > 0, recovered: found === 0 };
  }
  if (rule.kind === 'no_data') {
    return { value: w.count, breaching: w.count === 0, recovered: w.count > 0 };
  }
  const enough = w.count >= Math.max(1, rule.minRequests) || rule.kind === 'request_rate_below' || rule.kind === 'request_rate_above';
  if (value === null || !enough) return { value, breaching: false, recovered: true };
  const resolveAt = rule.resolveThreshold ?? rule.threshold;
  if (directionOf(rule.kind) === 'above') return { value, breaching: value > rule.threshold, recovered: value <= resolveAt };
  return { value, breaching: value < rule.threshold, recovered: value >= resolveAt };
}

function measure(kind: AlertConditionKind, w: WindowFigures): number | null {
  switch (kind) {
    case 'error_rate':
      return w.count > 0 ? (w.errors4xx + w.errors5xx) / w.count : null;
    case 'server_error_rate':
      return w.count > 0 ? w.errors5xx / w.count : null;
    case 'p95':
      return w.p95;
    case 'p99':
      return w.p99;
    case 'request_rate_above':
    case 'request_rate_below':
      return w.minutes > 0 ? w.count / w.minutes : 0;
    case 'no_data':
      return w.count;
    case 'ingest_lag':
      return w.lagSeconds ?? null;
    case 'anomaly':
      return w.anomalies ?? 0;
  }
}

const KIND_TEXT: Record<AlertConditionKind, string> = {
  error_rate: 'error rate (4xx + 5xx)',
  server_error_rate: '5xx rate',
  p95: 'p95 latency',
  p99: 'p99 latency',
  request_rate_above: 'request rate',
  request_rate_below: 'request rate',
  no_data: 'records',
  ingest_lag: 'p95 ingest lag',
  anomaly: 'anomalies',
};

/** A value in the rule's unit, for people: 0.123 → "12.3 %", 1234.5 → "1235 ms". */
export function formatValue(kind: AlertConditionKind, value: number | null): string {
  if (value === null) return 'no data';
  switch (unitOf(kind)) {
    case 'ratio':
      return `${(value * 100).toFixed(1)} %`;
    case 'ms':
      return `${Math.round(value)} ms`;
    case 'requests/min':
      return `${value.toFixed(1)} req/min`;
    case 's':
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} s`;
    default:
      return String(Math.round(value));
  }
}

/** What the condition says, e.g. "5xx rate > 5.0 % over 5m for checkout GET /api/pay". */
export function describeCondition(
  rule: Pick<AlertRule, 'kind' | 'threshold' | 'windowSeconds' | 'service' | 'route' | 'method'> &
    Partial<Pick<AlertRule, 'anomalyKind' | 'minSeverity'>>,
): string {
  const scope = [rule.service ?? 'all services', rule.method, rule.route].filter(Boolean).join(' ');
  const window = rule.windowSeconds % 60 === 0 ? `${rule.windowSeconds / 60}m` : `${rule.windowSeconds}s`;
  if (rule.kind === 'no_data') return `no records for ${window} (${scope})`;
  if (rule.kind === 'anomaly')
    return `any ${rule.anomalyKind ?? 'kind of'} anomaly at severity ≥ ${rule.minSeverity ?? 'HIGH'} in ${window} (${scope})`;
  const op = directionOf(rule.kind) === 'above' ? '>' : '<';
  return `${KIND_TEXT[rule.kind]} ${op} ${formatValue(rule.kind, rule.threshold)} over ${window} (${scope})`;
}

/** One line for history and notifications: what happened, the value and the condition. */
export function summarize(rule: AlertRule, kind: string, value: number | null): string {
  const what = kind === 'resolved' ? 'resolved' : kind === 'reminder' ? 'still firing' : kind;
  return `[${rule.severity.toUpperCase()}] ${rule.name} ${what}: ${KIND_TEXT[rule.kind]} ${formatValue(rule.kind, value)}; condition ${describeCondition(rule)}`;
}
