import { Link, useSearch } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { anomalyLogs, anomalySubject, anomalyValue, latestFirst } from '../insights/anomaly-view.ts';
import { EndpointLink, logsHref } from '../shared/Endpoint.tsx';
import { SeverityBadge } from '../shared/SeverityBadge.tsx';

export const LiveAnomalies_AnomalyReportFragment = graphql(/* GraphQL */ `
  fragment LiveAnomalies_AnomalyReportFragment on AnomalyReport {
    anomalies {
      kind
      direction
      severity
      service
      method
      route
      start
      end
      observed
      baseline
      unit
    }
  }
`);

/** How many of the newest anomalies the overview lists; the rest are on the Insights page. */
const SHOWN = 6;

/** The newest anomalies of the range, each with its value against the usual one and a link to its logs. */
export function LiveAnomalies({
  report: ref,
  service,
}: {
  report: FragmentType<typeof LiveAnomalies_AnomalyReportFragment>;
  service: string | null;
}) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const { anomalies } = getFragmentData(LiveAnomalies_AnomalyReportFragment, ref);
  if (anomalies.length === 0) return <EmptyState message={t('insights.none')} />;
  const shown = latestFirst(anomalies, SHOWN);
  return (
    <>
      <ul className="anomaly-feed" data-testid="live-anomalies">
        {shown.map((a) => (
          <li
            key={`${a.kind} ${a.service} ${a.method} ${a.route} ${a.start}`}
            data-testid="live-anomaly"
            data-kind={a.kind}
            data-route={a.route ?? ''}
            data-method={a.method ?? ''}
          >
            <div className="anomaly-feed-head">
              <SeverityBadge severity={a.severity} />
              <strong>
                {t(`anomaly.kind.${a.kind}`)} {a.direction === 'UP' ? '↑' : '↓'}
              </strong>
              <time className="muted" dateTime={a.end} title={fmt.timeWindow(a.start, a.end)}>
                {fmt.relative(a.end)}
              </time>
            </div>
            <div className="anomaly-feed-body">
              {a.route !== null && a.method !== null ? (
                <EndpointLink service={a.service} method={a.method} route={a.route} />
              ) : (
                <span>{anomalySubject(a, t)}</span>
              )}
              <span className="anomaly-feed-values">
                <strong>{anomalyValue(a.unit, a.observed, fmt)}</strong>{' '}
                <span className="muted">{t('anomaly.usual', { value: anomalyValue(a.unit, a.baseline, fmt) })}</span>
              </span>
              <Link href={logsHref(search, anomalyLogs(a, service))} className="anomaly-feed-logs">
                {t('endpoints.viewLogs')} →
              </Link>
            </div>
          </li>
        ))}
      </ul>
      {anomalies.length > shown.length && <p className="panel-note">{t('anomaly.more', { count: anomalies.length - shown.length })}</p>}
    </>
  );
}
