import { Link, useSearch } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointLink, logsHref } from '../shared/Endpoint.tsx';
import { SeverityBadge } from '../shared/SeverityBadge.tsx';
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

/** One anomaly: what, where and when, its numbers against the baseline, and where to look next. */
export function AnomalyCard({
  anomaly,
  bucketSeconds,
  service,
}: {
  anomaly: FragmentType<typeof AnomalyCard_AnomalyFragment>;
  bucketSeconds: number;
  service: string | null;
}) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const a = getFragmentData(AnomalyCard_AnomalyFragment, anomaly);
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
    >
      <div className="finding-head">
        <SeverityBadge severity={a.severity} />
        <span className="finding-title">
          {t(`anomaly.kind.${a.kind}`)}{' '}
          <span aria-label={t(a.direction === 'UP' ? 'insights.direction.up' : 'insights.direction.down')}>
            {a.direction === 'UP' ? '↑' : '↓'}
          </span>
        </span>
        {a.route !== null && a.method !== null ? (
          <EndpointLink service={a.service} method={a.method} route={a.route} showService />
        ) : (
          <span className="muted">{anomalySubject(a, t)}</span>
        )}
      </div>
      <div className="finding-when muted">
        <time dateTime={a.start}>{fmt.timeWindow(a.start, a.end)}</time> · {fmt.duration(Date.parse(a.end) - Date.parse(a.start))}
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
      <div className="finding-links">
        <Link href={logsHref(search, anomalyLogs(a, service))} data-testid="anomaly-logs">
          {a.kind === 'ERROR_RATE' ? t('anomaly.viewErrors') : t('endpoints.viewLogs')} →
        </Link>
      </div>
    </li>
  );
}

/** Every anomaly of the range (most severe first, as the API ranks them), with how the search was done. */
export function AnomalyList({
  report: ref,
  service,
}: {
  report: FragmentType<typeof AnomalyList_AnomalyReportFragment>;
  service: string | null;
}) {
  const { t, fmt } = useI18n();
  const report = getFragmentData(AnomalyList_AnomalyReportFragment, ref);
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
        {report.anomalies.map((a, i) => (
          <AnomalyCard key={i} anomaly={a} bucketSeconds={report.bucketSeconds} service={service} />
        ))}
      </ol>
    </>
  );
}
