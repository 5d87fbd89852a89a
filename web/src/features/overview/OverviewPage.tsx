import { Link, useLocation, useSearch } from 'wouter';
import { Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { hrefWithControls } from '../../lib/controls.ts';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useControls } from '../../lib/use-controls.ts';
import { usePeriods } from '../../lib/use-periods.ts';
import { logsHref } from '../shared/Endpoint.tsx';
import { KpiCards } from './KpiCards.tsx';
import { LiveAnomalies } from './LiveAnomalies.tsx';
import { SlowEndpoints } from './SlowEndpoints.tsx';
import { StatusDistribution } from './StatusDistribution.tsx';
import { TrafficChart } from './TrafficChart.tsx';

const OverviewPage_Query = graphql(/* GraphQL */ `
  query OverviewPage_Query($range: TimeRange!, $previous: TimeRange!, $service: String) {
    current: services(range: $range, service: $service) {
      service
      ...KpiCards_ServiceStatsFragment
    }
    previous: services(range: $previous, service: $service) {
      service
      ...KpiCards_ServiceStatsFragment
    }
    traffic(range: $range, service: $service) {
      ...KpiCards_TrafficFragment
      bucketSeconds
      points {
        ...TrafficChart_TrafficPointFragment
      }
    }
    previousTraffic: traffic(range: $previous, service: $service) {
      ...KpiCards_TrafficFragment
    }
    errorDistribution(range: $range, service: $service) {
      ...StatusDistribution_ErrorDistributionFragment
    }
    slowEndpoints(range: $range, service: $service, limit: 6) {
      route
      method
      service
      ...SlowEndpoints_EndpointStatsFragment
    }
  }
`);

// Its own query: anomaly detection is the heaviest analysis on the page, and a failure or a slow
// answer there must not hold back or blank the KPIs and charts.
const OverviewPage_AnomaliesQuery = graphql(/* GraphQL */ `
  query OverviewPage_AnomaliesQuery($range: TimeRange!, $service: String) {
    anomalies(range: $range, service: $service) {
      ...LiveAnomalies_AnomalyReportFragment
    }
  }
`);

export default function OverviewPage() {
  const { t } = useI18n();
  const { controls, range } = useControls();
  const { previous, rangeSeconds } = usePeriods();
  const search = useSearch();
  const [, navigate] = useLocation();
  const [result, reexecute] = useRefreshingQuery({ query: OverviewPage_Query, variables: { range, previous, service: controls.service } });
  const retry = () => reexecute({ requestPolicy: 'network-only' });
  const [anomalies, reexecuteAnomalies] = useRefreshingQuery({ query: OverviewPage_AnomaliesQuery, variables: { range, service: controls.service } });
  return (
    <QueryState result={result} onRetry={retry} rows={6}>
      {(data) => (
        <>
          <KpiCards current={data.current} previous={data.previous} traffic={data.traffic} previousTraffic={data.previousTraffic} rangeSeconds={rangeSeconds} />
          <div className="grid">
            <Panel title={t('overview.traffic')} className="span-8" testId="overview-traffic">
              <TrafficChart
                points={data.traffic.points}
                bucketSeconds={data.traffic.bucketSeconds}
                onBucketClick={(bucket, seconds) =>
                  navigate(logsHref(search, { service: controls.service, from: bucket, to: new Date(Date.parse(bucket) + seconds * 1000).toISOString() }))
                }
              />
            </Panel>
            <Panel title={t('overview.status')} className="span-4" testId="overview-status">
              <StatusDistribution distribution={data.errorDistribution} service={controls.service} />
            </Panel>
            <Panel title={t('overview.slowest')} className="span-7" testId="overview-slowest">
              <SlowEndpoints endpoints={data.slowEndpoints} />
            </Panel>
            <Panel
              title={t('overview.anomalies')}
              className="span-5"
              testId="overview-anomalies"
              actions={<Link href={hrefWithControls('/insights', search)}>{t('anomaly.seeAll')} →</Link>}
            >
              <QueryState result={anomalies} onRetry={() => reexecuteAnomalies({ requestPolicy: 'network-only' })}>
                {(report) => <LiveAnomalies report={report.anomalies} service={controls.service} />}
              </QueryState>
            </Panel>
          </div>
        </>
      )}
    </QueryState>
  );
}
