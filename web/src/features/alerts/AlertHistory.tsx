import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import type { AlertConditionKind } from '../../gql/graphql.ts';
import { useI18n } from '../../i18n/index.tsx';
import { alertValueText } from './condition-text.ts';

export const AlertHistory_AlertEventFragment = graphql(/* GraphQL */ `
  fragment AlertHistory_AlertEventFragment on AlertEvent {
    id
    at
    kind
    ruleId
    ruleName
    summary
    value
    threshold
    deliveries {
      id
      channelName
      status
      attempts
      lastError
    }
  }
`);

/** Kinds whose events are judged against a threshold (the others: no data, the anomaly detector). */
const hasThreshold = (kind: AlertConditionKind) => kind !== 'NO_DATA' && kind !== 'ANOMALY';

/** Transitions in the range, newest first, with what became of each notification. */
export function AlertHistory({
  events,
  rules,
}: {
  events: readonly FragmentType<typeof AlertHistory_AlertEventFragment>[];
  /** The rules that still exist: their kind gives the unit of an event's value. */
  rules: readonly { id: string; kind: AlertConditionKind }[];
}) {
  const { t, fmt } = useI18n();
  const rows = getFragmentData(AlertHistory_AlertEventFragment, events);
  const kindOf = new Map(rules.map((r) => [r.id, r.kind]));
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
              <td className="wrap">
                {(() => {
                  const kind = e.ruleId ? kindOf.get(e.ruleId) : undefined;
                  // The rule's name is the user's; a deleted rule's event keeps the notification's
                  // own (English) summary, as it was sent.
                  if (!kind) return <span data-raw>{e.summary}</span>;
                  return (
                    <>
                      <span data-raw>{e.ruleName}</span>: {alertValueText(kind, e.value, t, fmt)}
                      {hasThreshold(kind) && (
                        <span className="muted">
                          {' '}
                          ({t('alerts.threshold')} {alertValueText(kind, e.threshold, t, fmt)})
                        </span>
                      )}
                    </>
                  );
                })()}
              </td>
              <td className="wrap">
                {e.deliveries.length === 0
                  ? '—'
                  : e.deliveries.map((d) => (
                      <div key={d.id}>
                        {/* The channel's name is the user's and its last error the receiver's: data. */}
                        <span data-raw title={d.lastError ?? undefined}>
                          {d.channelName}
                        </span>
                        : {t(`alerts.delivery.${d.status}`)} ({t('alerts.attempts', { count: d.attempts })})
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
