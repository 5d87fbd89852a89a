import { useSearch } from 'wouter';
import { Link } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { alertLinks } from './alert-links.ts';
import { alertValueText, conditionText } from './condition-text.ts';
import { ConditionScope } from './ConditionScope.tsx';

export const FiringNow_AlertFragment = graphql(/* GraphQL */ `
  fragment FiringNow_AlertFragment on Alert {
    state
    since
    firingSince
    value
    rule {
      id
      name
      severity
      kind
      threshold
      service
      route
      method
      windowSeconds
      anomalyKind
      minSeverity
      muted
    }
  }
`);

/** Rules firing or pending now, with links to the logs and insights of their window. */
export function FiringNow({ alerts }: { alerts: readonly FragmentType<typeof FiringNow_AlertFragment>[] }) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const rows = getFragmentData(FiringNow_AlertFragment, alerts);
  if (rows.length === 0) return <EmptyState message={t('alerts.nothingFiring')} />;
  const now = Date.now();
  return (
    <ul className="alert-list" data-testid="firing-now">
      {rows.map((a) => {
        const links = alertLinks(a.rule, a.firingSince, search, now);
        return (
          <li key={a.rule.id} className={`alert-item alert-${a.state.toLowerCase()}`} data-rule={a.rule.name}>
            <div>
              <span className={`badge badge-${a.state === 'FIRING' ? 'critical' : 'warning'}`}>{t(`alerts.state.${a.state}`)}</span>{' '}
              <strong data-raw>{a.rule.name}</strong> <span className="muted">{t(`alerts.severity.${a.rule.severity}`)}</span>
              {a.rule.muted && <span className="muted"> · {t('alerts.muted')}</span>}
            </div>
            <div className="muted">
              {conditionText(a.rule, t, fmt)}
              <ConditionScope rule={a.rule} /> · {t('alerts.value')}: <strong>{alertValueText(a.rule.kind, a.value, t, fmt)}</strong> ·{' '}
              {t('alerts.since')} <span title={fmt.dateTime(a.since)}>{fmt.relative(a.since)}</span>
            </div>
            <div className="alert-links">
              <Link href={links.logs}>{t('alerts.openLogs')}</Link> · <Link href={links.insights}>{t('alerts.openInsights')}</Link>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
