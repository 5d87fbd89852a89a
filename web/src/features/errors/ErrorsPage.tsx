import { useLocation, useSearch } from 'wouter';
import { BarChart } from '../../components/charts/BarChart.tsx';
import { useChartTheme } from '../../components/charts/use-chart-theme.ts';
import { EmptyState, Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { statusColor } from '../../lib/theme.ts';
import { useControls } from '../../lib/use-controls.ts';
import { usePeriods } from '../../lib/use-periods.ts';
import { logsHref } from '../shared/Endpoint.tsx';
import { ErrorHeatmap } from './ErrorHeatmap.tsx';
import { StatusEndpointTop } from './StatusEndpointTop.tsx';

const ErrorsPage_Query = graphql(/* GraphQL */ `
  query ErrorsPage_Query($range: TimeRange!, $service: String, $tz: String) {
    errorDistribution(range: $range, service: $service) {
      total
      errors
      errorRate
      byStatus {
        status
        count
        share
        errorShare
      }
    }
    statusEndpointTop(range: $range, service: $service, limit: 5) {
      status
      ...StatusEndpointTop_StatusEndpointsFragment
    }
    errorHeatmap(range: $range, service: $service, tz: $tz, limit: 15) {
      id
      ...ErrorHeatmap_ErrorHeatmapRowFragment
    }
  }
`);

export default function ErrorsPage() {
  const { t, fmt } = useI18n();
  const { palette } = useChartTheme();
  const { controls, range } = useControls();
  const periods = usePeriods();
  const search = useSearch();
  const [, navigate] = useLocation();
  const [result, reexecute] = useRefreshingQuery({ query: ErrorsPage_Query, variables: { range, service: controls.service, tz: controls.tz } });
  return (
    <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })} rows={6}>
      {(data) => {
        const errorStatuses = data.errorDistribution.byStatus.filter((s) => s.status >= 400);
        return (
          <div className="grid">
            <Panel title={t('errors.distribution')} className="span-5" testId="errors-distribution">
              <dl className="kv" style={{ marginBottom: 10 }}>
                <dt>{t('metric.errors')}</dt>
                <dd data-testid="errors-total">
                  {fmt.integer(data.errorDistribution.errors)} / {fmt.integer(data.errorDistribution.total)} ({fmt.percent(data.errorDistribution.errorRate)})
                </dd>
              </dl>
              {errorStatuses.length === 0 ? (
                <EmptyState />
              ) : (
                <BarChart
                  data={errorStatuses.map((s) => ({ key: String(s.status), label: String(s.status), value: s.count, color: statusColor(s.status, palette) }))}
                  format={(v) => fmt.count(v)}
                  label={t('errors.distribution')}
                  layout="horizontal"
                  height={Math.max(120, errorStatuses.length * 34 + 30)}
                  onBarClick={(status) => navigate(logsHref(search, { status: Number(status), service: controls.service }))}
                />
              )}
            </Panel>
            <Panel title={t('errors.statusEndpointTop')} className="span-7" testId="errors-status-endpoint">
              <StatusEndpointTop statuses={data.statusEndpointTop} />
            </Panel>
            <Panel title={t('errors.heatmap')} className="span-12" actions={<span className="muted">{t('errors.heatmapHint', { tz: controls.tz })}</span>} testId="errors-heatmap">
              <ErrorHeatmap rows={data.errorHeatmap} range={{ from: Date.parse(periods.from), to: Date.parse(periods.to) }} />
            </Panel>
          </div>
        );
      }}
    </QueryState>
  );
}
