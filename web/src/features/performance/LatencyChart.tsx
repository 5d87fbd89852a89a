import { useMemo } from 'react';
import { completeBuckets, toSeries } from '../../components/charts/chart-data.ts';
import { PartialBucketNote } from '../../components/charts/PartialBucketNote.tsx';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart.tsx';
import { useChartTheme } from '../../components/charts/use-chart-theme.ts';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const LatencyChart_TrafficPointFragment = graphql(/* GraphQL */ `
  fragment LatencyChart_TrafficPointFragment on TrafficPoint {
    bucket
    p50
    p95
    p99
    max
  }
`);

/** p50 / p95 / p99 (and max) latency per bucket. */
export function LatencyChart({ points: refs, bucketSeconds }: { points: readonly FragmentType<typeof LatencyChart_TrafficPointFragment>[]; bucketSeconds: number }) {
  const { t, fmt } = useI18n();
  const { palette } = useChartTheme();
  const all = getFragmentData(LatencyChart_TrafficPointFragment, refs);
  const { complete: points, partial } = useMemo(() => completeBuckets(all, bucketSeconds, Date.now()), [all, bucketSeconds]);
  const series = useMemo(
    () =>
      toSeries(points, 'bucket', [
        { key: 'p50', label: 'p50', color: palette.series[4]! },
        { key: 'p95', label: 'p95', color: palette.series[2]! },
        { key: 'p99', label: 'p99', color: palette.series[3]! },
        { key: 'max', label: t('metric.max'), color: palette.textMuted },
      ]),
    [points, palette, t],
  );
  return (
    <>
      <TimeSeriesChart series={series} format={(v) => fmt.ms(v)} label={t('performance.percentiles')} height={280} />
      {partial > 0 && <PartialBucketNote bucketSeconds={bucketSeconds} />}
    </>
  );
}
