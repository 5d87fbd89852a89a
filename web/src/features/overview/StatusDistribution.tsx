import { useLocation, useSearch } from 'wouter';
import { DonutChart } from '../../components/charts/DonutChart.tsx';
import { useChartTheme } from '../../components/charts/use-chart-theme.ts';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { statusColor } from '../../lib/theme.ts';
import { logsHref } from '../shared/Endpoint.tsx';

export const StatusDistribution_ErrorDistributionFragment = graphql(/* GraphQL */ `
  fragment StatusDistribution_ErrorDistributionFragment on ErrorDistribution {
    total
    byClass {
      statusClass
      label
      count
      share
    }
  }
`);

/** Requests per status class; a slice opens the logs of that class. */
export function StatusDistribution({ distribution, service }: { distribution: FragmentType<typeof StatusDistribution_ErrorDistributionFragment>; service: string | null }) {
  const { t, fmt } = useI18n();
  const { palette } = useChartTheme();
  const search = useSearch();
  const [, navigate] = useLocation();
  const data = getFragmentData(StatusDistribution_ErrorDistributionFragment, distribution);
  if (data.total === 0) return <EmptyState />;
  const slices = data.byClass
    .filter((c) => c.count > 0)
    .map((c) => ({ id: String(c.statusClass), label: c.label, value: c.count, color: statusColor(c.statusClass * 100, palette) }));
  return (
    <DonutChart
      data={slices}
      format={(v) => `${fmt.integer(v)} · ${fmt.percent(data.total ? v / data.total : 0)}`}
      label={t('overview.status')}
      onSliceClick={(id) => navigate(logsHref(search, { statusClass: Number(id), service }))}
    />
  );
}
