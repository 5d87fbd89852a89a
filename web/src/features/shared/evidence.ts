import type { MessageKey, Translate } from '../../i18n/index.tsx';
import type { Formatters } from '../../lib/format.ts';

/** One number behind a finding, as the API sends it (label in English, ratios in percent). */
export interface EvidenceItem {
  label: string;
  value: number;
  unit: string | null;
}

/**
 * The gateway names its evidence in English; these are the labels it uses (anomalies,
 * bottlenecks, recommendations), so Korean readers get them in Korean. A label the gateway
 * adds later is shown as sent rather than dropped.
 */
const LABELS: Record<string, MessageKey> = {
  requests: 'evidence.requests',
  'p95 latency': 'evidence.p95',
  'p99 latency': 'evidence.p99',
  'average latency': 'evidence.avg',
  'p95 threshold': 'evidence.p95Threshold',
  'p95 in the previous period': 'evidence.p95Previous',
  'median p95 of the service': 'evidence.serviceMedianP95',
  'share of total request time': 'evidence.timeShare',
  'share of all requests': 'evidence.requestShare',
  '5xx responses': 'evidence.errors5xx',
  '5xx rate': 'evidence.rate5xx',
  'share of all 5xx responses': 'evidence.share5xx',
  'commonest 5xx status': 'evidence.topStatus5xx',
  '404 responses': 'evidence.notFound',
  '404 share of this route': 'evidence.notFoundShare',
  'average response size': 'evidence.avgBytes',
  'p95 response size': 'evidence.p95Bytes',
  'largest response': 'evidence.maxBytes',
  'requests sampled': 'evidence.sampledRequests',
  'sampled requests': 'evidence.sampledRequests',
  'requests from this client': 'evidence.clientRequests',
  'share of sampled requests': 'evidence.clientShare',
  'request rate': 'evidence.requestRate',
  'distinct clients in sample': 'evidence.distinctClients',
  'p95 latency at peak': 'evidence.p95AtPeak',
  'usual p95 latency': 'evidence.usualP95',
  '5xx rate at peak': 'evidence.rate5xxAtPeak',
  'usual 5xx rate': 'evidence.usualRate5xx',
  'requests per bucket at peak': 'evidence.requestsAtPeak',
  'usual requests per bucket': 'evidence.usualRequests',
  'spread (1.4826 × MAD, floored)': 'evidence.spread',
  'robust z-score': 'evidence.score',
  'multiple of usual': 'evidence.multiple',
  duration: 'evidence.duration',
  'requests in window': 'evidence.windowRequests',
  '5xx responses in window': 'evidence.windowErrors',
};

export function evidenceLabel(label: string, t: Translate): string {
  const key = LABELS[label];
  return key ? t(key) : label;
}

/** The value in the dashboard's number formats, by the unit the gateway gives it. */
export function evidenceValue(item: EvidenceItem, fmt: Formatters, t: Translate): string {
  const { value, unit } = item;
  switch (unit) {
    case 'ms':
      return fmt.ms(value);
    case '%':
      return fmt.percent(value / 100, 1);
    case 'requests':
      return fmt.integer(value);
    case 'req/min':
      return t('unit.perMinute', { value: fmt.decimal(value, 1) });
    case 'bytes':
      return fmt.bytes(value);
    case 'min':
      return fmt.duration(value * 60_000);
    case 'x':
      return `${fmt.decimal(value, 1)}×`;
    case 'σ':
      return `${fmt.decimal(value, 1)}σ`;
    case null:
      // Plain counts and status codes.
      return Number.isInteger(value) ? fmt.integer(value) : fmt.decimal(value, 2);
    default:
      return `${fmt.decimal(value, 2)} ${unit}`;
  }
}

/** Evidence ready to show: translated label and formatted value. */
export function formatEvidence(items: readonly EvidenceItem[], fmt: Formatters, t: Translate): { label: string; value: string }[] {
  return items.map((item) => ({ label: evidenceLabel(item.label, t), value: evidenceValue(item, fmt, t) }));
}
