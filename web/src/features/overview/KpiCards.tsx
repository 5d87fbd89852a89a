import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { compareKpis, computeKpis } from './kpis.ts';

export const KpiCards_ServiceStatsFragment = graphql(/* GraphQL */ `
  fragment KpiCards_ServiceStatsFragment on ServiceStats {
    service
    count
    errors
    endpointCount
    p95
  }
`);

export const KpiCards_TrafficFragment = graphql(/* GraphQL */ `
  fragment KpiCards_TrafficFragment on Traffic {
    points {
      p95
    }
  }
`);

type Direction = 'up-bad' | 'up-good' | 'neutral';

function Change({ value, kind, direction, text }: { value: number | null; kind: 'relative' | 'points'; direction: Direction; text: (v: number) => string }) {
  const { t } = useI18n();
  if (value === null) return <span className="kpi-change">{t('metric.noPrevious')}</span>;
  const worse = direction === 'up-bad' ? value > 0 : direction === 'up-good' ? value < 0 : false;
  const better = direction === 'up-bad' ? value < 0 : direction === 'up-good' ? value > 0 : false;
  const cls = Math.abs(value) < (kind === 'points' ? 0.001 : 0.005) ? '' : worse ? 'up-bad' : better ? 'up-good' : '';
  return (
    <span className="kpi-change">
      <span className={cls}>{text(value)}</span> {t('metric.vsPrevious')}
    </span>
  );
}

/** Requests, req/s, error rate, p95 and active endpoints, each with its change vs the previous period. */
export function KpiCards({
  current,
  previous,
  traffic,
  previousTraffic,
  rangeSeconds,
}: {
  current: readonly FragmentType<typeof KpiCards_ServiceStatsFragment>[];
  previous: readonly FragmentType<typeof KpiCards_ServiceStatsFragment>[];
  traffic: FragmentType<typeof KpiCards_TrafficFragment>;
  previousTraffic: FragmentType<typeof KpiCards_TrafficFragment>;
  rangeSeconds: number;
}) {
  const { t, fmt } = useI18n();
  const now = computeKpis(getFragmentData(KpiCards_ServiceStatsFragment, current), getFragmentData(KpiCards_TrafficFragment, traffic).points.map((p) => p.p95), rangeSeconds);
  const before = computeKpis(getFragmentData(KpiCards_ServiceStatsFragment, previous), getFragmentData(KpiCards_TrafficFragment, previousTraffic).points.map((p) => p.p95), rangeSeconds);
  const change = compareKpis(now, before);
  const rel = (v: number) => fmt.change(v);
  const pts = (v: number) => t('metric.points', { value: fmt.signed(v * 100, 1) });
  const cards = [
    { key: 'requests', label: t('metric.requests'), value: fmt.integer(now.requests), exact: now.requests, change: <Change value={change.requests} kind="relative" direction="neutral" text={rel} /> },
    { key: 'rps', label: t('metric.reqPerSec'), value: fmt.perSecond(now.perSecond), change: <Change value={change.perSecond} kind="relative" direction="neutral" text={rel} /> },
    { key: 'errorRate', label: t('metric.errorRate'), value: fmt.percent(now.errorRate), change: <Change value={change.errorRate} kind="points" direction="up-bad" text={pts} /> },
    { key: 'p95', label: now.p95IsPeak ? t('metric.p95Peak') : t('metric.p95'), value: fmt.ms(now.p95), change: <Change value={change.p95} kind="relative" direction="up-bad" text={rel} /> },
    { key: 'endpoints', label: t('metric.activeEndpoints'), value: fmt.integer(now.activeEndpoints), change: <Change value={change.activeEndpoints} kind="relative" direction="neutral" text={rel} /> },
  ];
  return (
    <div className="kpis" data-testid="kpis">
      {cards.map((c) => (
        <div key={c.key} className="kpi" data-kpi={c.key} data-value={c.exact}>
          <span className="kpi-label">{c.label}</span>
          <span className="kpi-value">{c.value}</span>
          {c.change}
        </div>
      ))}
    </div>
  );
}
