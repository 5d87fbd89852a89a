import { ResponsiveBar } from '@nivo/bar';
import { useMemo } from 'react';
import { useChartTheme } from './use-chart-theme.ts';

export interface BarDatumInput {
  key: string;
  label: string;
  value: number;
  color?: string;
}

/** One bar per category; horizontal for long labels (endpoints), vertical for short ones (hours). */
export function BarChart({
  data,
  format,
  label,
  height = 240,
  layout = 'vertical',
  onBarClick,
  labelWidth = 48,
  labelEvery = 1,
}: {
  data: readonly BarDatumInput[];
  format: (value: number) => string;
  label: string;
  height?: number;
  layout?: 'vertical' | 'horizontal';
  onBarClick?: (key: string) => void;
  labelWidth?: number;
  /** Show every n-th category label on the axis (24 hours do not fit side by side). */
  labelEvery?: number;
}) {
  const { theme, palette } = useChartTheme();
  const rows = useMemo(
    () => (layout === 'horizontal' ? [...data].reverse() : data).map((d) => ({ key: d.key, label: d.label, value: d.value, color: d.color ?? palette.accent })),
    [data, layout, palette.accent],
  );
  const shownLabels = useMemo(() => new Set(rows.filter((_, i) => i % labelEvery === 0).map((r) => r.label)), [rows, labelEvery]);
  return (
    <figure className="chart" style={{ height }} aria-label={label}>
      <div className="chart-canvas">
        <ResponsiveBar
          data={rows}
          keys={['value']}
          indexBy="label"
          layout={layout}
          theme={theme}
          colors={(bar) => String(bar.data.color)}
          margin={layout === 'horizontal' ? { top: 4, right: 56, bottom: 24, left: labelWidth } : { top: 8, right: 8, bottom: 28, left: labelWidth }}
          padding={0.25}
          borderRadius={2}
          enableGridY={layout === 'vertical'}
          enableGridX={layout === 'horizontal'}
          valueFormat={(v) => format(v)}
          enableLabel={layout === 'horizontal'}
          label={(d) => format(Number(d.value))}
          labelPosition="end"
          labelOffset={6}
          labelTextColor={palette.text}
          axisLeft={layout === 'horizontal' ? { tickSize: 0, tickPadding: 6 } : { tickSize: 0, tickPadding: 6, tickValues: 4, format: (v: number) => format(v) }}
          axisBottom={layout === 'horizontal' ? { tickSize: 0, tickValues: 4, format: (v: number) => format(v) } : { tickSize: 0, tickPadding: 6, format: (v: string) => (shownLabels.has(v) ? v : '') }}
          tooltip={({ data: d }) => (
            <div className="chart-tooltip">
              <span className="legend-swatch" style={{ background: String(d.color) }} />
              <span>{d.label}</span> <strong>{format(Number(d.value))}</strong>
            </div>
          )}
          onClick={onBarClick ? (bar) => onBarClick(String(bar.data.key)) : undefined}
          animate={false}
          role="img"
          ariaLabel={label}
        />
      </div>
    </figure>
  );
}
