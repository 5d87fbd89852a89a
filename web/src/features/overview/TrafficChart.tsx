import { useMemo } from 'react';
import { completeBuckets, toSeries } from '../../components/charts/chart-data.ts';
import { PartialBucketNote } from '../../components/charts/PartialBucketNote.tsx';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart.tsx';
import { useChartTheme } from '../../components/charts/use-chart-theme.ts';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const TrafficChart_TrafficPointFragment = graphql(/* GraphQL */ `
  fragment TrafficChart_TrafficPointFragment on TrafficPoint {
    bucket
    requests
    errors
    p50
    p95
    p99
  }
`);

/** Requests and errors per bucket, and latency percentiles beneath on their own axis. */
export function TrafficChart({
  points: pointRefs,
  bucketSeconds,
  percentiles = ['p95'],
  onBucketClick,
}: {
  points: readonly FragmentType<typeof TrafficChart_TrafficPointFragment>[];
  bucketSeconds: number;
  percentiles?: readonly ('p50' | 'p95' | 'p99')[];
  onBucketClick?: (bucket: string, bucketSeconds: number) => void;
}) {
  const { t, fmt } = useI18n();
  const { palette } = useChartTheme();
  const all = getFragmentData(TrafficChart_TrafficPointFragment, pointRefs);
  const { complete: points, partial } = useMemo(() => completeBuckets(all, bucketSeconds, Date.now()), [all, bucketSeconds]);
  const counts = useMemo(
    () =>
      toSeries(points, 'bucket', [
        { key: 'requests', label: t('metric.requests'), color: palette.series[0]! },
        { key: 'errors', label: t('metric.errors'), color: palette.error },
      ]),
    [points, t, palette],
  );
  const latency = useMemo(() => {
    const colors = { p50: palette.series[4]!, p95: palette.series[2]!, p99: palette.series[3]! };
    return toSeries(points, 'bucket', percentiles.map((p) => ({ key: p, label: t(`metric.${p}`), color: colors[p] })));
  }, [points, percentiles, t, palette]);
  return (
    <div className="traffic-chart" data-testid="traffic-chart">
      <TimeSeriesChart series={counts} format={(v) => fmt.count(v)} area integer label={t('overview.traffic')} height={220} onPointClick={onBucketClick ? (x) => onBucketClick(x, bucketSeconds) : undefined} />
      <TimeSeriesChart series={latency} format={(v) => fmt.ms(v)} label={t('metric.latency')} height={170} />
      {partial > 0 && <PartialBucketNote bucketSeconds={bucketSeconds} />}
    </div>
  );
}
