import type { AnomalyKind, AnomalyUnit, BaselineKind } from '../../gql/graphql.ts';
import type { Translate } from '../../i18n/index.tsx';
import type { Formatters } from '../../lib/format.ts';
import type { LogsDrillDown } from '../shared/Endpoint.tsx';

/** The fields of an anomaly the dashboard reads (as the API returns them). */
export interface AnomalyFacts {
  kind: AnomalyKind;
  service: string | null;
  method: string | null;
  route: string | null;
  start: string;
  end: string;
  peakAt: string;
  observed: number;
  baseline: number;
  spread: number;
  score: number;
  unit: AnomalyUnit;
  requests: number;
  errors: number;
  baselineKind: BaselineKind;
  baselineSamples: number;
}

/** The most recent first (by when they ended), for a "what is happening now" list. */
export function latestFirst<T extends Pick<AnomalyFacts, 'start' | 'end'>>(anomalies: readonly T[], limit = Number.POSITIVE_INFINITY): T[] {
  return [...anomalies].sort((a, b) => Date.parse(b.end) - Date.parse(a.end) || Date.parse(b.start) - Date.parse(a.start)).slice(0, limit);
}

/** Observed, baseline or spread in the anomaly's unit: 42.5%, 1,840 ms, 120 (requests per bucket). */
export function anomalyValue(unit: AnomalyUnit, value: number, fmt: Formatters): string {
  if (unit === 'RATIO') return fmt.percent(value, 1);
  if (unit === 'MS') return fmt.ms(value);
  return fmt.decimal(value, 1);
}

/** Who it happened to: "GET /api/x", the service, or all traffic. */
export function anomalySubject(a: Pick<AnomalyFacts, 'service' | 'method' | 'route'>, t: Translate): string {
  if (a.route !== null) return `${a.method ?? '*'} ${a.route}`;
  return a.service !== null ? t('anomaly.service', { service: a.service }) : t('anomaly.allTraffic');
}

/**
 * The logs behind an anomaly: its endpoint (or service) during its window; for an error-rate
 * anomaly only the 5xx responses, which are what the user is looking for.
 */
export function anomalyLogs(
  a: Pick<AnomalyFacts, 'kind' | 'service' | 'method' | 'route' | 'start' | 'end'>,
  service: string | null,
): LogsDrillDown {
  return {
    service: a.service ?? service,
    route: a.route,
    method: a.method,
    from: a.start,
    to: a.end,
    statusClass: a.kind === 'ERROR_RATE' ? 5 : null,
  };
}

/** What the baseline was: "previous 60 min" or "the same time in 7 earlier cycles". */
export function baselineText(
  a: Pick<AnomalyFacts, 'baselineKind' | 'baselineSamples'>,
  bucketSeconds: number,
  fmt: Formatters,
  t: Translate,
): string {
  if (a.baselineKind === 'SEASONAL') return t('anomaly.baseline.seasonal', { count: a.baselineSamples });
  return t('anomaly.baseline.trailing', { duration: fmt.duration(a.baselineSamples * bucketSeconds * 1000) });
}

/**
 * The anomaly in words, in the dashboard's language, zone and number formats. Built from the
 * structured fields rather than the gateway's English `explanation` (which states UTC times),
 * so Korean readers get a Korean explanation and everyone sees the zone they picked.
 */
export function explainAnomaly(a: AnomalyFacts, bucketSeconds: number, fmt: Formatters, t: Translate): string {
  const value = (v: number) => anomalyValue(a.unit, v, fmt);
  const params = {
    subject: anomalySubject(a, t),
    observed: value(a.observed),
    baseline: value(a.baseline),
    peak: fmt.axisTime(a.peakAt, true),
    bucket: fmt.duration(bucketSeconds * 1000),
  };
  const sentences = [t(`anomaly.explain.${a.kind}`, params)];
  if (a.kind !== 'ERROR_RATE' && a.baseline > 0)
    sentences.push(t('anomaly.explain.ratio', { ratio: fmt.decimal(a.observed / a.baseline, 1) }));
  sentences.push(
    t('anomaly.explain.score', {
      score: fmt.decimal(a.score, 1),
      baseline: baselineText(a, bucketSeconds, fmt, t),
      spread: value(a.spread),
    }),
  );
  const duration = fmt.duration(Date.parse(a.end) - Date.parse(a.start));
  sentences.push(
    a.kind === 'ERROR_RATE'
      ? t('anomaly.explain.failed', { errors: fmt.integer(a.errors), requests: fmt.integer(a.requests), duration })
      : t('anomaly.explain.lasted', { duration }),
  );
  return sentences.join(' ');
}
