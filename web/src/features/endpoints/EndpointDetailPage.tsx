import { Link, useLocation, useSearch } from 'wouter';
import { BarChart } from '../../components/charts/BarChart.tsx';
import { useChartTheme } from '../../components/charts/use-chart-theme.ts';
import { EmptyState, Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { hrefWithControls } from '../../lib/controls.ts';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { statusColor } from '../../lib/theme.ts';
import { useControls, usePageParams } from '../../lib/use-controls.ts';
import { TrafficChart } from '../overview/TrafficChart.tsx';
import { logsHref } from '../shared/Endpoint.tsx';
import { SampleNote } from '../shared/SampleNote.tsx';
import { LogRow } from '../shared/LogRow.tsx';

const EndpointDetailPage_Query = graphql(/* GraphQL */ `
  query EndpointDetailPage_Query($range: TimeRange!, $route: String!, $method: String!, $service: String) {
    endpointDetail(range: $range, route: $route, method: $method, service: $service) {
      service
      method
      route
      count
      errorRate
      clientErrorRate
      serverErrorRate
      avg
      p50
      p95
      p99
      max
      bucketSeconds
      series {
        ...TrafficChart_TrafficPointFragment
      }
      statuses {
        status
        count
        share
      }
      topClients {
        value
        count
        errors
        share
      }
      topClientsSample {
        rows
        of
        sampled
      }
      recentErrors {
        id
        ...LogRow_LogFragment
      }
    }
  }
`);

export default function EndpointDetailPage() {
  const { t, fmt } = useI18n();
  const { palette } = useChartTheme();
  const { controls, range } = useControls();
  const [params] = usePageParams();
  const search = useSearch();
  const [, navigate] = useLocation();
  const route = params.get('route') ?? '';
  const method = params.get('method') ?? '';
  const service = params.get('endpointService') || controls.service;
  const [result, reexecute] = useRefreshingQuery({ query: EndpointDetailPage_Query, variables: { range, route, method, service }, pause: !route || !method });
  const back = (
    <Link href={hrefWithControls('/endpoints', search)} className="button button-small">
      ← {t('endpoints.back')}
    </Link>
  );
  if (!route || !method) return <Panel title={t('endpoints.detail')} actions={back}><EmptyState /></Panel>;
  const logs = logsHref(search, { service, route, method });
  return (
    <>
      <div className="toolbar">
        {back}
        <h2 className="detail-title" data-testid="endpoint-title">
          <span className="method">{method}</span> <span className="route">{route}</span>
          {service && <span className="service muted"> · {service}</span>}
        </h2>
        <span className="spacer" />
        <Link href={logs} className="button">
          {t('endpoints.viewLogs')}
        </Link>
      </div>
      <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })} rows={6}>
        {({ endpointDetail: d }) => (
          <>
            <div className="kpis">
              {[
                ['count', t('metric.requests'), fmt.integer(d.count)],
                ['errorRate', t('metric.errorRate'), fmt.percent(d.errorRate)],
                ['rate5xx', t('metric.rate5xx'), fmt.percent(d.serverErrorRate)],
                ['p50', 'p50', fmt.ms(d.p50)],
                ['p95', 'p95', fmt.ms(d.p95)],
                ['p99', 'p99', fmt.ms(d.p99)],
                ['max', t('metric.max'), fmt.ms(d.max)],
              ].map(([key, label, value]) => (
                <div key={key} className="kpi" data-kpi={key}>
                  <span className="kpi-label">{label}</span>
                  <span className="kpi-value">{value}</span>
                </div>
              ))}
            </div>
            <div className="grid">
              <Panel title={t('endpoints.series')} className="span-8">
                <TrafficChart
                  points={d.series}
                  bucketSeconds={d.bucketSeconds}
                  percentiles={['p50', 'p95', 'p99']}
                />
              </Panel>
              <Panel title={t('endpoints.statusBreakdown')} className="span-4">
                {d.statuses.length === 0 ? (
                  <EmptyState />
                ) : (
                  <BarChart
                    data={d.statuses.map((s) => ({ key: String(s.status), label: String(s.status), value: s.count, color: statusColor(s.status, palette) }))}
                    format={(v) => fmt.count(v)}
                    label={t('endpoints.statusBreakdown')}
                    layout="horizontal"
                    height={Math.max(120, d.statuses.length * 34 + 30)}
                    onBarClick={(status) => navigate(logsHref(search, { service, route, method, status: Number(status) }))}
                  />
                )}
              </Panel>
              <Panel title={t('endpoints.topClients')} className="span-5">
                {d.topClients.length === 0 ? (
                  <EmptyState />
                ) : (
                  <table className="data">
                    <thead>
                      <tr>
                        <th>{t('endpoints.client')}</th>
                        <th className="num">{t('metric.requests')}</th>
                        <th className="num">{t('metric.errors')}</th>
                        <th className="num">{t('metric.share')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.topClients.map((c) => (
                        <tr key={c.value}>
                          <td className="route">{c.value}</td>
                          <td className="num">{fmt.integer(c.count)}</td>
                          <td className="num">{fmt.integer(c.errors)}</td>
                          <td className="num">{fmt.percent(c.share)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <SampleNote sample={d.topClientsSample} />
              </Panel>
              <Panel title={t('endpoints.recentErrors')} className="span-7">
                {d.recentErrors.length === 0 ? (
                  <EmptyState />
                ) : (
                  <div className="console">
                    {d.recentErrors.map((log) => (
                      <LogRow key={log.id} log={log} />
                    ))}
                  </div>
                )}
              </Panel>
            </div>
          </>
        )}
      </QueryState>
    </>
  );
}
