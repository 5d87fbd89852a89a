import type { MessageKey, Translate } from '../../i18n/index.tsx';

/**
 * The offline analyst labels each number "<scope> <metric>": the scope is an endpoint
 * ("GET /api/orders", with its service when there are several) or absent for the whole window,
 * or "overall"; the metric is one of a fixed set of English phrases. These are those phrases, so
 * a Korean reader gets the metric in Korean while the endpoint stays as logged.
 */
const METRICS: Record<string, MessageKey> = {
  requests: 'aiEvidence.requests',
  'requests per minute': 'aiEvidence.requestsPerMinute',
  'requests per minute, previous hour': 'aiEvidence.requestsPerMinutePrevious',
  'traffic increase': 'aiEvidence.trafficIncrease',
  'error rate': 'aiEvidence.errorRate',
  '5xx rate': 'aiEvidence.rate5xx',
  '5xx rate, previous hour': 'aiEvidence.rate5xxPrevious',
  '5xx errors': 'aiEvidence.errors5xx',
  '4xx rate': 'aiEvidence.rate4xx',
  '4xx rate, previous hour': 'aiEvidence.rate4xxPrevious',
  p95: 'aiEvidence.p95',
  'p95 latency': 'aiEvidence.p95',
  p99: 'aiEvidence.p99',
  avg: 'aiEvidence.avg',
  'p95, previous hour': 'aiEvidence.p95Previous',
  'p95 increase': 'aiEvidence.p95Increase',
  'error-rate anomaly score': 'aiEvidence.errorsScore',
  'latency anomaly score': 'aiEvidence.latencyScore',
  volume: 'aiEvidence.volume',
  'volume, usual': 'aiEvidence.volumeUsual',
  'volume anomaly score': 'aiEvidence.volumeScore',
  errors: 'aiEvidence.errors',
  'errors, usual': 'aiEvidence.errorsUsual',
  'errors anomaly score': 'aiEvidence.errorsScore',
  latency: 'aiEvidence.latency',
  'latency, usual': 'aiEvidence.latencyUsual',
};

// Longest first, so "p95, previous hour" wins over "p95".
const PHRASES = Object.keys(METRICS).sort((a, b) => b.length - a.length);

/** An AI evidence label split into its scope (data: an endpoint, or null for all traffic) and its metric in words. */
export interface AiEvidenceLabel {
  scope: string | null;
  metric: string;
  /** False when the label was not one of the analyst's (a model's free text): shown as sent. */
  translated: boolean;
}

export function aiEvidenceLabel(label: string, t: Translate): AiEvidenceLabel {
  for (const phrase of PHRASES) {
    if (label !== phrase && !label.endsWith(` ${phrase}`)) continue;
    const scope = label.slice(0, label.length - phrase.length).trim();
    return { scope: scope === '' || scope === 'overall' ? null : scope, metric: t(METRICS[phrase]!), translated: true };
  }
  return { scope: null, metric: label, translated: false };
}
