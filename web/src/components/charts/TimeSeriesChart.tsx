import { ResponsiveLine } from '@nivo/line';
import { useMemo } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import type { ChartSeries } from './chart-data.ts';
import { useChartTheme } from './use-chart-theme.ts';

interface LinePoint {
  x: Date;
  y: number | null;
}

/** Lines over time on one y axis, with an HTML legend and a shared tooltip per instant. */
export function TimeSeriesChart({
  series,
  format,
  height = 240,
  area = false,
  integer = false,
  label,
  onPointClick,
}: {
  series: readonly ChartSeries[];
  format: (value: number) => string;
  height?: number;
  area?: boolean;
  /** Counts: no fractional ticks on the y axis. */
  integer?: boolean;
  label: string;
  onPointClick?: (x: string) => void;
}) {
  const { theme } = useChartTheme();
  const { fmt } = useI18n();
  const data = useMemo(
    () => series.map((s) => ({ id: s.label, color: s.color, data: s.points.map((p): LinePoint => ({ x: new Date(p.x), y: p.y })) })),
    [series],
  );
  const spansDays = useMemo(() => {
    const xs = series[0]?.points ?? [];
    if (xs.length < 2) return false;
    return Date.parse(xs[xs.length - 1]!.x) - Date.parse(xs[0]!.x) > 20 * 3_600_000;
  }, [series]);

  const sparse = useMemo(() => series.some((s) => s.points.length <= 90 && s.points.some((p, i) => p.y !== null && s.points[i - 1]?.y == null && s.points[i + 1]?.y == null)), [series]);
  return (
    <figure className="chart" style={{ height }} aria-label={label}>
      <ul className="chart-legend">
        {series.map((s) => (
          <li key={s.id}>
            <span className="legend-swatch" style={{ background: s.color }} />
            {s.label}
          </li>
        ))}
      </ul>
      <div className="chart-canvas">
        <ResponsiveLine
          data={data}
          theme={theme}
          colors={(s) => (s as { color: string }).color}
          xScale={{ type: 'time', format: 'native', precision: 'second' }}
          yScale={{ type: 'linear', min: 0, max: 'auto', nice: true }}
          margin={{ top: 8, right: 16, bottom: 28, left: 56 }}
          curve="monotoneX"
          lineWidth={2}
          enableArea={area}
          areaOpacity={0.12}
          // Sparse series (a quiet endpoint) would be invisible specks of line without points.
          enablePoints={sparse}
          pointSize={4}
          enableGridX={false}
          enableSlices="x"
          axisBottom={{ tickValues: 6, tickSize: 4, format: (v: Date) => fmt.axisTime(v, spansDays) }}
          axisLeft={{ tickValues: 5, tickSize: 0, tickPadding: 6, format: (v: number) => (integer && !Number.isInteger(v) ? '' : format(v)) }}
          onClick={onPointClick ? (datum) => {
            const x = 'points' in datum ? datum.points[0]?.data.x : datum.data.x;
            if (x instanceof Date) onPointClick(x.toISOString());
          } : undefined}
          sliceTooltip={({ slice }) => (
            <div className="chart-tooltip">
              <div className="chart-tooltip-title">{fmt.dateTime(slice.points[0]?.data.x ?? 0)}</div>
              {slice.points.map((p) => (
                <div key={p.id} className="chart-tooltip-row">
                  <span className="legend-swatch" style={{ background: p.seriesColor }} />
                  <span>{p.seriesId}</span>
                  <strong>{p.data.y === null ? '–' : format(Number(p.data.y))}</strong>
                </div>
              ))}
            </div>
          )}
          animate={false}
          role="img"
          ariaLabel={label}
        />
      </div>
    </figure>
  );
}
