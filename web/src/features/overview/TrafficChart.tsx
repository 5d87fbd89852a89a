import { useMemo } from 'react';
import { toSeries } from '../../components/charts/chart-data.ts';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart.tsx';
import { useChartTheme } from '../../components/charts/use-chart-theme.ts';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const TrafficChart_TrafficFragment = graphql(/* GraphQL */ `
  fragment TrafficChart_TrafficFragment on Traffic {
    bucketSeconds
    points {
      bucket
      requests
      errors
      p50
      p95
      p99
    }
  }
`);

/** Requests and errors per bucket, and latency percentiles beneath on their own axis. */
export function TrafficChart({ traffic, percentiles = ['p95'], onBucketClick }: { traffic: FragmentType<typeof TrafficChart_TrafficFragment>; percentiles?: readonly ('p50' | 'p95' | 'p99')[]; onBucketClick?: (bucket: string, bucketSeconds: number) => void }) {
  const { t, fmt } = useI18n();
  const { palette } = useChartTheme();
  const data = getFragmentData(TrafficChart_TrafficFragment, traffic);
  const counts = useMemo(
    () =>
      toSeries(data.points, 'bucket', [
        { key: 'requests', label: t('metric.requests'), color: palette.series[0]! },
        { key: 'errors', label: t('metric.errors'), color: palette.error },
      ]),
    [data.points, t, palette],
  );
  const latency = useMemo(() => {
    const colors = { p50: palette.series[4]!, p95: palette.series[2]!, p99: palette.series[3]! };
    return toSeries(data.points, 'bucket', percentiles.map((p) => ({ key: p, label: t(`metric.${p}`), color: colors[p] })));
  }, [data.points, percentiles, t, palette]);
  return (
    <div className="traffic-chart" data-testid="traffic-chart">
      <TimeSeriesChart series={counts} format={(v) => fmt.count(v)} area label={t('overview.traffic')} height={220} onPointClick={onBucketClick ? (x) => onBucketClick(x, data.bucketSeconds) : undefined} />
      <TimeSeriesChart series={latency} format={(v) => fmt.ms(v)} label={t('metric.latency')} height={170} />
    </div>
  );
}
