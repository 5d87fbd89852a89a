import { useSubscription } from 'urql';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

const LiveMetricsBar_Subscription = graphql(/* GraphQL */ `
  subscription LiveMetricsBar_Subscription($service: String) {
    liveMetrics(intervalSeconds: 5, service: $service) {
      windowEnd
      requests
      requestsPerSecond
      errorRate
      p95LatencyMs
      activeEndpoints
    }
  }
`);

/** The last 5-second window's figures, updated as the gateway sends them. */
export function LiveMetricsBar({ service }: { service: string | null }) {
  const { t, fmt } = useI18n();
  const [result] = useSubscription({ query: LiveMetricsBar_Subscription, variables: { service } });
  const m = result.data?.liveMetrics;
  const cards = [
    ['rps', t('metric.reqPerSec'), m ? fmt.perSecond(m.requestsPerSecond) : '–'],
    ['errorRate', t('metric.errorRate'), m ? fmt.percent(m.errorRate) : '–'],
    ['p95', 'p95', m ? fmt.ms(m.p95LatencyMs) : '–'],
    ['endpoints', t('metric.activeEndpoints'), m ? fmt.integer(m.activeEndpoints) : '–'],
  ];
  return (
    <div className="kpis" data-testid="live-metrics" title={m ? fmt.dateTime(m.windowEnd) : undefined}>
      {cards.map(([key, label, value]) => (
        <div key={key} className="kpi" data-kpi={key}>
          <span className="kpi-label">
            {label} <span className="muted">· 5s</span>
          </span>
          <span className="kpi-value">{value}</span>
        </div>
      ))}
    </div>
  );
}
