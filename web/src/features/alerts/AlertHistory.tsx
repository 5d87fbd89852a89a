import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const AlertHistory_AlertEventFragment = graphql(/* GraphQL */ `
  fragment AlertHistory_AlertEventFragment on AlertEvent {
    id
    at
    kind
    ruleName
    summary
    deliveries {
      id
      channelName
      status
      attempts
      lastError
    }
  }
`);

/** Transitions in the range, newest first, with what became of each notification. */
export function AlertHistory({ events }: { events: readonly FragmentType<typeof AlertHistory_AlertEventFragment>[] }) {
  const { t, fmt } = useI18n();
  const rows = getFragmentData(AlertHistory_AlertEventFragment, events);
  if (rows.length === 0) return <EmptyState message={t('alerts.noHistory')} />;
  return (
    <div className="table-wrap">
      <table className="data" data-testid="alert-history">
        <thead>
          <tr>
            <th>{t('alerts.at')}</th>
            <th>{t('alerts.event')}</th>
            <th>{t('alerts.summary')}</th>
            <th>{t('alerts.deliveries')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <td title={fmt.dateTime(e.at)}>{fmt.relative(e.at)}</td>
              <td>
                <span
                  className={`badge badge-${e.kind === 'FIRING' || e.kind === 'REMINDER' ? 'critical' : e.kind === 'RESOLVED' ? 'ok' : 'warning'}`}
                >
                  {t(`alerts.event.${e.kind}`)}
                </span>
              </td>
              <td className="wrap">{e.summary}</td>
              <td className="wrap">
                {e.deliveries.length === 0
                  ? '—'
                  : e.deliveries.map((d) => (
                      <div key={d.id} title={d.lastError ?? undefined}>
                        {d.channelName}: {t(`alerts.delivery.${d.status}`)} ({t('alerts.attempts', { count: d.attempts })})
                      </div>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
