import { useMemo } from 'react';
import { Link, useSearch } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointLink, logsHref } from '../shared/Endpoint.tsx';
import { EvidenceList } from '../shared/EvidenceList.tsx';
import { SeverityBadge } from '../shared/SeverityBadge.tsx';
import { groupRecommendations, type GroupableAnomaly } from './grouping.ts';
import { recommendationClient, recommendationLogs } from './recommendation-view.ts';

export const Recommendations_RecommendationFragment = graphql(/* GraphQL */ `
  fragment Recommendations_RecommendationFragment on Recommendation {
    kind
    priority
    title
    service
    method
    route
    affectedRequests
    evidence {
      label
      value
      unit
    }
  }
`);

/** What ranking the advice needs to know of the range's anomalies: is an incident live? */
export const Recommendations_AnomalyFragment = graphql(/* GraphQL */ `
  fragment Recommendations_AnomalyFragment on Anomaly {
    kind
    severity
    service
    method
    route
    start
    end
  }
`);

/**
 * Suggestions grouped by kind (one card per piece of advice, listing every endpoint or client it
 * applies to), advice about a live incident first, then by priority in the API's order. Titles
 * and advice come from the kind, in the dashboard's language.
 */
export function Recommendations({
  recommendations,
  anomalies,
  service,
}: {
  recommendations: readonly FragmentType<typeof Recommendations_RecommendationFragment>[];
  /** The range's anomalies (empty while they load: the order then settles once they arrive). */
  anomalies: readonly FragmentType<typeof Recommendations_AnomalyFragment>[];
  service: string | null;
}) {
  const { t } = useI18n();
  const search = useSearch();
  const list = getFragmentData(Recommendations_RecommendationFragment, recommendations);
  const found = getFragmentData(Recommendations_AnomalyFragment, anomalies) as readonly GroupableAnomaly[];
  const groups = useMemo(() => groupRecommendations(list, found), [list, found]);
  if (list.length === 0) return <EmptyState message={t('insights.noRecommendations')} />;
  return (
    <ol className="finding-list" data-testid="recommendation-list">
      {groups.map((g, i) => {
        const clients = g.kind === 'RATE_LIMIT_CLIENT';
        return (
          <li key={g.kind} className="finding" data-testid="recommendation" data-kind={g.kind} data-live={g.live}>
            <div className="finding-head">
              <span className="rank">{i + 1}</span>
              <SeverityBadge severity={g.priority} />
              {g.live && <span className="badge badge-critical">{t('recommendation.live')}</span>}
              <span className="finding-title">{t(`recommendation.kind.${g.kind}`)}</span>
              <span className="muted">{t(clients ? 'recommendation.clients' : 'recommendation.endpoints', { count: g.items.length })}</span>
            </div>
            <p className="finding-text">{t(`recommendation.advice.${g.kind}`)}</p>
            <ul className="affected-list">
              {g.items.map((r, j) => {
                const logs = recommendationLogs(r, service);
                const client = recommendationClient(r);
                return (
                  <li key={j} data-testid="recommendation-item" data-route={r.route ?? ''} data-method={r.method ?? ''}>
                    {r.route !== null && r.method !== null && <EndpointLink service={r.service} method={r.method} route={r.route} showService />}
                    {client !== null && (
                      <span>
                        <span className="muted">{t('logs.client')}</span> <code className="route">{client}</code>
                      </span>
                    )}
                    <span className="affected-stats">
                      <SeverityBadge severity={r.priority} />
                      <span className="muted">{t('recommendation.affected', { count: r.affectedRequests })}</span>
                      {logs && (
                        <Link href={logsHref(search, logs)} data-testid="recommendation-logs">
                          {t('endpoints.viewLogs')} →
                        </Link>
                      )}
                    </span>
                    <EvidenceList items={r.evidence} />
                  </li>
                );
              })}
            </ul>
            {g.items.length > 1 && (
              <div className="finding-links">
                <span className="muted">{t('recommendation.affected', { count: g.affectedRequests })}</span>
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
