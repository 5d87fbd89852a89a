import { BarChart } from '../../components/charts/BarChart.tsx';
import { useChartTheme } from '../../components/charts/use-chart-theme.ts';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { SampleNote, type RawLogSample } from '../shared/SampleNote.tsx';

export const Patterns_TrafficPatternsFragment = graphql(/* GraphQL */ `
  fragment Patterns_TrafficPatternsFragment on TrafficPatterns {
    timeZone
    total
    peakHours
    byHour {
      hour
      requests
      errors
    }
    byWeekday {
      weekday
      requests
    }
    methods {
      value
      count
      share
    }
    topUserAgents {
      value
      count
      share
    }
    topClientIps {
      value
      count
      share
    }
    topSample {
      rows
      of
      sampled
    }
  }
`);

function ShareList({
  title,
  rows,
  sample,
}: {
  title: string;
  rows: readonly { value: string; count: number; share: number }[];
  sample?: RawLogSample;
}) {
  const { fmt } = useI18n();
  return (
    <div>
      <h3 className="subhead">{title}</h3>
      <table className="data">
        <tbody>
          {rows.map((r) => (
            <tr key={r.value}>
              <td className="wrap route">{r.value}</td>
              <td className="num">{fmt.integer(r.count)}</td>
              <td className="num muted">{fmt.percent(r.share)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sample && <SampleNote sample={sample} />}
    </div>
  );
}

/** Traffic by hour of day and weekday (in the dashboard's zone), peak hours, methods and clients. */
export function Patterns({ patterns }: { patterns: FragmentType<typeof Patterns_TrafficPatternsFragment> }) {
  const { t, fmt } = useI18n();
  const { palette } = useChartTheme();
  const p = getFragmentData(Patterns_TrafficPatternsFragment, patterns);
  if (p.total === 0) return <EmptyState />;
  const peaks = new Set(p.peakHours);
  return (
    <div className="patterns">
      <div className="grid">
        <div className="span-8">
          <h3 className="subhead">
            {t('insights.byHour')} <span className="muted">({p.timeZone})</span>
          </h3>
          <BarChart
            data={p.byHour.map((h) => ({ key: String(h.hour), label: fmt.hour(h.hour), value: h.requests, color: peaks.has(h.hour) ? palette.warn : palette.accent }))}
            format={(v) => fmt.count(v)}
            label={t('insights.byHour')}
            height={200}
            labelEvery={3}
          />
        </div>
        <div className="span-4">
          <h3 className="subhead">{t('insights.byWeekday')}</h3>
          <BarChart data={p.byWeekday.map((d) => ({ key: String(d.weekday), label: fmt.weekday(d.weekday), value: d.requests }))} format={(v) => fmt.count(v)} label={t('insights.byWeekday')} height={200} />
        </div>
        <div className="span-4">
          <ShareList title={t('logs.method')} rows={p.methods} />
        </div>
        <div className="span-4">
          <ShareList title={t('logs.userAgent')} rows={p.topUserAgents} sample={p.topSample} />
        </div>
        <div className="span-4">
          <ShareList title={t('logs.client')} rows={p.topClientIps} sample={p.topSample} />
        </div>
      </div>
    </div>
  );
}
