import { Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useControls } from '../../lib/use-controls.ts';
import { SlowEndpoints } from '../overview/SlowEndpoints.tsx';
import { Bottlenecks } from './Bottlenecks.tsx';
import { LatencyChart } from './LatencyChart.tsx';

const PerformancePage_Query = graphql(/* GraphQL */ `
  query PerformancePage_Query($range: TimeRange!, $service: String) {
    slowEndpoints(range: $range, service: $service, limit: 10) {
      route
      ...SlowEndpoints_EndpointStatsFragment
    }
    traffic(range: $range, service: $service) {
      bucketSeconds
      points {
        ...LatencyChart_TrafficPointFragment
      }
    }
  }
`);

// The API's default: an endpoint whose p95 is over half a second is slow.
const P95_THRESHOLD_MS = 500;

// Separate from the charts' query so a slow or failing analysis only affects its own panel.
const PerformancePage_BottlenecksQuery = graphql(/* GraphQL */ `
  query PerformancePage_BottlenecksQuery($range: TimeRange!, $service: String, $p95ThresholdMs: Float!) {
    bottlenecks(range: $range, service: $service, p95ThresholdMs: $p95ThresholdMs, limit: 20) {
      route
      ...Bottlenecks_BottleneckFragment
    }
  }
`);

export default function PerformancePage() {
  const { t } = useI18n();
  const { controls, range } = useControls();
  const [result, reexecute] = useRefreshingQuery({ query: PerformancePage_Query, variables: { range, service: controls.service } });
  const [bottlenecks, reexecuteBottlenecks] = useRefreshingQuery({
    query: PerformancePage_BottlenecksQuery,
    variables: { range, service: controls.service, p95ThresholdMs: P95_THRESHOLD_MS },
  });
  return (
    <div className="grid">
      <Panel title={t('performance.bottlenecks')} className="span-12" testId="performance-bottlenecks">
        <QueryState result={bottlenecks} onRetry={() => reexecuteBottlenecks({ requestPolicy: 'network-only' })}>
          {(data) => <Bottlenecks bottlenecks={data.bottlenecks} thresholdMs={P95_THRESHOLD_MS} />}
        </QueryState>
      </Panel>
      <Panel title={t('performance.slowest')} className="span-12" testId="performance-slowest">
        <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
          {(data) => <SlowEndpoints endpoints={data.slowEndpoints} detailed />}
        </QueryState>
      </Panel>
      <Panel title={t('performance.percentiles')} className="span-12" testId="performance-percentiles">
        <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
          {(data) => <LatencyChart points={data.traffic.points} bucketSeconds={data.traffic.bucketSeconds} />}
        </QueryState>
      </Panel>
    </div>
  );
}
