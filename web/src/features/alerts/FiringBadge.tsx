import { Link, useSearch } from 'wouter';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { hrefWithControls } from '../../lib/controls.ts';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useEffect } from 'react';

const FiringBadge_Query = graphql(/* GraphQL */ `
  query FiringBadge_Query {
    alerts(state: [FIRING]) {
      rule {
        id
        name
      }
    }
  }
`);

/** How many alerts are firing, in the header on every page; a link to the Alerts page. Polls every 30 s. */
export function FiringBadge() {
  const { t } = useI18n();
  const search = useSearch();
  const [result, reexecute] = useRefreshingQuery({ query: FiringBadge_Query });
  useEffect(() => {
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), 30_000);
    return () => clearInterval(timer);
  }, [reexecute]);
  const firing = result.data?.alerts ?? [];
  if (firing.length === 0) return null;
  return (
    <Link
      href={hrefWithControls('/alerts', search)}
      className="badge badge-critical firing-badge"
      data-testid="firing-badge"
      // The names of the rules firing: data (the user's), like the text marked data-raw.
      title={firing.map((a) => a.rule.name).join(', ')}
      data-raw-title
    >
      {t('alerts.firingBadge', { count: firing.length })}
    </Link>
  );
}
