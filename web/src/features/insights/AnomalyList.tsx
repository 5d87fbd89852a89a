import { useMemo } from 'react';
import { Link, useSearch } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import type { AnomalyCard_AnomalyFragmentFragment } from '../../gql/graphql.ts';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointLink, logsHref } from '../shared/Endpoint.tsx';
import { SeverityBadge } from '../shared/SeverityBadge.tsx';
import { groupAnomalies, type Incident } from './grouping.ts';
import { anomalyLogs, anomalySubject, anomalyValue, baselineText, explainAnomaly } from './anomaly-view.ts';

export const AnomalyCard_AnomalyFragment = graphql(/* GraphQL */ `
  fragment AnomalyCard_AnomalyFragment on Anomaly {
    kind
    direction
    severity
    service
    method
    route
    start
    end
    peakAt
    buckets
    observed
    baseline
    spread
    score
    unit
    requests
    errors
    baselineKind
    baselineSamples
  }
`);

export const AnomalyList_AnomalyReportFragment = graphql(/* GraphQL */ `
  fragment AnomalyList_AnomalyReportFragment on AnomalyReport {
    bucketSeconds
    threshold
    seriesAnalysed
    seasonality
    analysed {
      from
      to
    }
    anomalies {
      ...AnomalyCard_AnomalyFragment
    }
  }
`);

type AnomalyData = AnomalyCard_AnomalyFragmentFragment;

/** Who an anomaly concerns: its endpoint (linked) or, for a wider one, its scope in words. */
function Subject({ a }: { a: AnomalyData }) {
  const { t } = useI18n();
  return a.route !== null && a.method !== null ? (
    <EndpointLink service={a.service} method={a.method} route={a.route} showService />
  ) : (
    <span className="muted">{anomalySubject(a, t)}</span>
  );
}

/** An endpoint (or service) caught in an incident: its own numbers, in one line, and its logs. */
function AffectedRow({ a, bucketSeconds, service }: { a: AnomalyData; bucketSeconds: number; service: string | null }) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const value = (v: number) => anomalyValue(a.unit, v, fmt);
  return (
    <li data-testid="anomaly-member" data-kind={a.kind} data-route={a.route ?? ''} data-method={a.method ?? ''} data-service={a.service ?? ''}>
      <Subject a={a} />
      <span className="affected-stats">
        <SeverityBadge severity={a.severity} />
        <span data-stat="observed">{value(a.observed)}</span>
        <span className="muted" data-stat="baseline">
          {t('anomaly.usual', { value: value(a.baseline) })}
        </span>
        <span className="muted">
          {t('insights.score')} <span data-stat="score">{fmt.decimal(a.score, 1)}</span>
        </span>
        <time className="muted" dateTime={a.start} title={baselineText(a, bucketSeconds, fmt, t)}>
          {fmt.timeWindow(a.start, a.end)}
        </time>
        <Link href={logsHref(search, anomalyLogs(a, service))} data-testid="anomaly-logs">
          {a.kind === 'ERROR_RATE' ? t('anomaly.viewErrors') : t('endpoints.viewLogs')} →
        </Link>
      </span>
    </li>
  );
}

/**
 * One incident: what, where and when, the numbers of its widest anomaly against the baseline, and
 * every other endpoint (or service) that showed the same thing in the same minutes.
 */
export function IncidentCard({
  incident,
  bucketSeconds,
  service,
}: {
  incident: Incident<AnomalyData>;
  bucketSeconds: number;
  service: string | null;
}) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const a = incident.lead;
  const value = (v: number) => anomalyValue(a.unit, v, fmt);
  const perBucket = a.unit === 'REQUESTS' ? ` ${t('anomaly.perBucket', { bucket: fmt.duration(bucketSeconds * 1000) })}` : '';
  return (
    <li
      className="finding"
      data-testid="anomaly"
      data-kind={a.kind}
      data-route={a.route ?? ''}
      data-method={a.method ?? ''}
      data-service={a.service ?? ''}
      data-affected={incident.affected.length}
    >
      <div className="finding-head">
        <SeverityBadge severity={incident.severity} />
        <span className="finding-title">
          {t(`anomaly.kind.${a.kind}`)}{' '}
          <span aria-label={t(a.direction === 'UP' ? 'insights.direction.up' : 'insights.direction.down')}>
            {a.direction === 'UP' ? '↑' : '↓'}
          </span>
        </span>
        <Subject a={a} />
      </div>
      <div className="finding-when muted">
        <time dateTime={incident.start}>{fmt.timeWindow(incident.start, incident.end)}</time> ·{' '}
        {fmt.duration(Date.parse(incident.end) - Date.parse(incident.start))}
      </div>
      <dl className="stats">
        <div>
          <dt>{t('insights.observed')}</dt>
          <dd data-stat="observed">
            {value(a.observed)}
            <span className="muted">{perBucket}</span>
          </dd>
        </div>
        <div>
          <dt>{t('insights.baseline')}</dt>
          <dd data-stat="baseline">
            {value(a.baseline)}
            <span className="stat-note">{baselineText(a, bucketSeconds, fmt, t)}</span>
          </dd>
        </div>
        <div>
          <dt>{t('anomaly.spread')}</dt>
          <dd data-stat="spread">±{value(a.spread)}</dd>
        </div>
        <div>
          <dt>{t('insights.score')}</dt>
          <dd data-stat="score">{fmt.decimal(a.score, 1)}</dd>
        </div>
      </dl>
      <p className="finding-text">{explainAnomaly(a, bucketSeconds, fmt, t)}</p>
      {incident.affected.length > 0 && (
        <div className="affected">
          <h3 className="subhead">{t('anomaly.affected', { count: incident.affected.length })}</h3>
          <ul className="affected-list">
            {incident.affected.map((m, i) => (
              <AffectedRow key={i} a={m} bucketSeconds={bucketSeconds} service={service} />
            ))}
          </ul>
        </div>
      )}
      <div className="finding-links">
        <Link href={logsHref(search, anomalyLogs(a, service))} data-testid="anomaly-logs">
          {a.kind === 'ERROR_RATE' ? t('anomaly.viewErrors') : t('endpoints.viewLogs')} →
        </Link>
      </div>
    </li>
  );
}

/** Every anomaly of the range, grouped into incidents (most severe first, as the API ranks them), with how the search was done. */
export function AnomalyList({
  report: ref,
  service,
}: {
  report: FragmentType<typeof AnomalyList_AnomalyReportFragment>;
  service: string | null;
}) {
  const { t, fmt } = useI18n();
  const report = getFragmentData(AnomalyList_AnomalyReportFragment, ref);
  const incidents = useMemo(() => groupAnomalies(getFragmentData(AnomalyCard_AnomalyFragment, report.anomalies)), [report.anomalies]);
  const method = (
    <p className="panel-note">
      {report.analysed
        ? t('anomaly.method', {
            window: fmt.timeWindow(report.analysed.from, report.analysed.to),
            bucket: fmt.duration(report.bucketSeconds * 1000),
            series: report.seriesAnalysed,
            threshold: fmt.decimal(report.threshold, 1),
          })
        : t('anomaly.noCompleteBucket')}{' '}
      {t(`anomaly.seasonality.${report.seasonality}`)}
    </p>
  );
  if (report.anomalies.length === 0) {
    return (
      <>
        {method}
        <EmptyState message={t('insights.none')} />
      </>
    );
  }
  return (
    <>
      {method}
      <ol className="finding-list" data-testid="anomaly-list">
        {incidents.map((incident, i) => (
          <IncidentCard key={i} incident={incident} bucketSeconds={report.bucketSeconds} service={service} />
        ))}
      </ol>
    </>
  );
}
