import type { AlertConditionKind, AnomalyKind, Severity } from '../../gql/graphql.ts';
import type { MessageKey, Translate } from '../../i18n/index.tsx';
import { INTL_LOCALE, type Formatters } from '../../lib/format.ts';

/** The fields of a rule its condition is written from. */
export interface ConditionRule {
  kind: AlertConditionKind;
  threshold: number;
  windowSeconds: number;
  service?: string | null;
  method?: string | null;
  route?: string | null;
  anomalyKind?: AnomalyKind | null;
  minSeverity?: Severity | null;
}

/** What a threshold rule measures, as the condition names it. */
const METRIC: Record<Exclude<AlertConditionKind, 'NO_DATA' | 'ANOMALY'>, MessageKey> = {
  ERROR_RATE: 'alerts.metric.ERROR_RATE',
  SERVER_ERROR_RATE: 'alerts.metric.SERVER_ERROR_RATE',
  LATENCY_P95: 'alerts.metric.LATENCY_P95',
  LATENCY_P99: 'alerts.metric.LATENCY_P99',
  REQUEST_RATE_ABOVE: 'alerts.metric.REQUEST_RATE',
  REQUEST_RATE_BELOW: 'alerts.metric.REQUEST_RATE',
  INGEST_LAG: 'alerts.metric.INGEST_LAG',
};

/**
 * A measured value or threshold in the unit of the rule's kind, in the page's language. The API
 * has the same in English (`condition`, `valueText`) for notifications; the page writes its own
 * so that Korean mode shows no English.
 */
export function alertValueText(kind: AlertConditionKind, value: number | null | undefined, t: Translate, fmt: Formatters): string {
  if (value === null || value === undefined) return t('alerts.noValue');
  const oneDecimal = (v: number) =>
    new Intl.NumberFormat(INTL_LOCALE[fmt.locale], { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
  switch (kind) {
    case 'ERROR_RATE':
    case 'SERVER_ERROR_RATE':
      return `${oneDecimal(value * 100)} %`;
    case 'LATENCY_P95':
    case 'LATENCY_P99':
      return `${fmt.integer(Math.round(value))} ms`;
    case 'REQUEST_RATE_ABOVE':
    case 'REQUEST_RATE_BELOW':
      return `${oneDecimal(value)} ${t('alerts.perMinute')}`;
    case 'INGEST_LAG':
      return `${value < 10 ? oneDecimal(value) : fmt.integer(Math.round(value))} ${t('alerts.seconds')}`;
    case 'NO_DATA':
      return t('alerts.records', { count: Math.round(value) });
    case 'ANOMALY':
      return t('alerts.anomalies', { count: Math.round(value) });
  }
}

/**
 * The rule's condition without its scope, e.g. "5xx rate > 5.0 % over 5 min", from the
 * dictionaries; `ConditionScope` writes what it watches after it.
 */
export function conditionText(rule: ConditionRule, t: Translate, fmt: Formatters): string {
  const window = fmt.duration(rule.windowSeconds * 1000);
  if (rule.kind === 'NO_DATA') return t('alerts.condition.noData', { window });
  if (rule.kind === 'ANOMALY') {
    const severity = t(`severity.${rule.minSeverity ?? 'HIGH'}`);
    return rule.anomalyKind
      ? t('alerts.condition.anomaly', { anomaly: t(`anomaly.kind.${rule.anomalyKind}`), severity, window })
      : t('alerts.condition.anomalyAny', { severity, window });
  }
  const above = rule.kind !== 'REQUEST_RATE_BELOW';
  return t(above ? 'alerts.condition.above' : 'alerts.condition.below', {
    metric: t(METRIC[rule.kind]),
    value: alertValueText(rule.kind, rule.threshold, t, fmt),
    window,
  });
}
