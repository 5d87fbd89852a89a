import { Link, useSearch } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointLink, logsHref } from '../shared/Endpoint.tsx';
import { EvidenceList } from '../shared/EvidenceList.tsx';
import { SeverityBadge } from '../shared/SeverityBadge.tsx';
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

/**
 * Suggestions in the API's order (most urgent first), each with what to do, the numbers that
 * triggered it and a link to the logs that show it. Titles and advice come from the kind, in
 * the dashboard's language; the API's English title is kept as a tooltip.
 */
export function Recommendations({
  recommendations,
  service,
}: {
  recommendations: readonly FragmentType<typeof Recommendations_RecommendationFragment>[];
  service: string | null;
}) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const list = getFragmentData(Recommendations_RecommendationFragment, recommendations);
  if (list.length === 0) return <EmptyState message={t('insights.noRecommendations')} />;
  return (
    <ol className="finding-list" data-testid="recommendation-list">
      {list.map((r, i) => {
        const logs = recommendationLogs(r, service);
        const client = recommendationClient(r);
        return (
          <li
            key={`${r.kind} ${r.service} ${r.method} ${r.route} ${i}`}
            className="finding"
            data-testid="recommendation"
            data-kind={r.kind}
            data-route={r.route ?? ''}
            data-method={r.method ?? ''}
          >
            <div className="finding-head">
              <span className="rank">{i + 1}</span>
              <SeverityBadge severity={r.priority} />
              <span className="finding-title" title={r.title}>
                {t(`recommendation.kind.${r.kind}`)}
              </span>
              {r.route !== null && r.method !== null && <EndpointLink service={r.service} method={r.method} route={r.route} showService />}
              {client !== null && (
                <span className="muted">
                  {t('logs.client')} <code className="route">{client}</code>
                </span>
              )}
            </div>
            <p className="finding-text">{t(`recommendation.advice.${r.kind}`)}</p>
            <EvidenceList items={r.evidence} />
            <div className="finding-links">
              <span className="muted">{t('recommendation.affected', { count: fmt.integer(r.affectedRequests) })}</span>
              {logs && (
                <Link href={logsHref(search, logs)} data-testid="recommendation-logs">
                  {t('endpoints.viewLogs')} →
                </Link>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
