import { Panel, QueryState, UnavailableState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useControls } from '../../lib/use-controls.ts';
import { SlowEndpoints } from '../overview/SlowEndpoints.tsx';
import { LatencyChart } from './LatencyChart.tsx';

const PerformancePage_Query = graphql(/* GraphQL */ `
  query PerformancePage_Query($range: TimeRange!, $service: String) {
    slowEndpoints(range: $range, service: $service, limit: 10) {
      route
      ...SlowEndpoints_EndpointStatsFragment
    }
    traffic(range: $range, service: $service) {
      points {
        ...LatencyChart_TrafficPointFragment
      }
    }
  }
`);

export default function PerformancePage() {
  const { t } = useI18n();
  const { controls, range } = useControls();
  const [result, reexecute] = useRefreshingQuery({ query: PerformancePage_Query, variables: { range, service: controls.service } });
  return (
    <div className="grid">
      <Panel title={t('performance.bottlenecks')} className="span-12" testId="performance-bottlenecks">
        <UnavailableState field="bottlenecks" />
      </Panel>
      <Panel title={t('performance.slowest')} className="span-12" testId="performance-slowest">
        <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
          {(data) => <SlowEndpoints endpoints={data.slowEndpoints} detailed />}
        </QueryState>
      </Panel>
      <Panel title={t('performance.percentiles')} className="span-12" testId="performance-percentiles">
        <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
          {(data) => <LatencyChart points={data.traffic.points} />}
        </QueryState>
      </Panel>
    </div>
  );
}
