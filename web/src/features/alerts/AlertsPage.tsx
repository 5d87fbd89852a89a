import { Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import type { AlertState } from '../../gql/graphql.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useControls } from '../../lib/use-controls.ts';
import { AlertChannels } from './AlertChannels.tsx';
import { AlertHistory } from './AlertHistory.tsx';
import { AlertRules } from './AlertRules.tsx';
import { AlertSilences } from './AlertSilences.tsx';
import { FiringNow } from './FiringNow.tsx';

const AlertsPage_Query = graphql(/* GraphQL */ `
  query AlertsPage_Query($range: TimeRange!, $states: [AlertState!]) {
    alerts(state: $states) {
      rule {
        id
      }
      ...FiringNow_AlertFragment
    }
    alertHistory(range: $range, limit: 200) {
      id
      ...AlertHistory_AlertEventFragment
    }
    alertRules {
      id
      name
      kind
      ...AlertRules_AlertRuleFragment
    }
    alertChannels {
      id
      name
      ...AlertChannels_AlertChannelFragment
    }
    alertSilences {
      id
      ...AlertSilences_AlertSilenceFragment
    }
  }
`);

const ACTIVE: AlertState[] = ['FIRING', 'PENDING'];

/** Alerts: what is firing now, the history of the range, rules, channels and silences. */
export default function AlertsPage() {
  const { t } = useI18n();
  const { range } = useControls();
  const [result, reexecute] = useRefreshingQuery({ query: AlertsPage_Query, variables: { range, states: ACTIVE } });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  return (
    <QueryState result={result} onRetry={refresh} rows={6}>
      {(data) => (
        <div className="grid">
          <Panel title={t('alerts.firingNow')} className="span-12" testId="alerts-firing">
            <FiringNow alerts={data.alerts} />
          </Panel>
          <Panel title={t('alerts.rules')} className="span-12" testId="alerts-rules">
            <AlertRules rules={data.alertRules} channels={data.alertChannels} onChanged={refresh} />
          </Panel>
          <Panel title={t('alerts.history')} className="span-12" testId="alerts-history">
            <AlertHistory events={data.alertHistory} rules={data.alertRules} />
          </Panel>
          <Panel title={t('alerts.channels')} className="span-6" testId="alerts-channels">
            <AlertChannels channels={data.alertChannels} onChanged={refresh} />
          </Panel>
          <Panel title={t('alerts.silences')} className="span-6" testId="alerts-silences">
            <AlertSilences silences={data.alertSilences} rules={data.alertRules} onChanged={refresh} />
          </Panel>
        </div>
      )}
    </QueryState>
  );
}
