import { ResponsivePie } from '@nivo/pie';
import { useChartTheme } from './use-chart-theme.ts';

export interface DonutSlice {
  id: string;
  label: string;
  value: number;
  color: string;
}

/** Shares of a whole (e.g. status classes), legend beside it with the formatted values. */
export function DonutChart({
  data,
  format,
  label,
  height = 220,
  onSliceClick,
}: {
  data: readonly DonutSlice[];
  format: (value: number) => string;
  label: string;
  height?: number;
  onSliceClick?: (id: string) => void;
}) {
  const { theme, palette } = useChartTheme();
  return (
    <figure className="chart chart-donut" style={{ height }} aria-label={label}>
      <div className="chart-canvas">
        <ResponsivePie
          data={data.map((d) => ({ ...d }))}
          theme={theme}
          colors={(d) => d.data.color}
          margin={{ top: 8, right: 8, bottom: 8, left: 8 }}
          innerRadius={0.62}
          padAngle={1}
          cornerRadius={2}
          borderWidth={0}
          enableArcLinkLabels={false}
          enableArcLabels={false}
          activeOuterRadiusOffset={4}
          tooltip={({ datum }) => (
            <div className="chart-tooltip">
              <span className="legend-swatch" style={{ background: datum.color }} />
              <span>{datum.label}</span> <strong>{format(datum.value)}</strong>
            </div>
          )}
          onClick={onSliceClick ? (d) => onSliceClick(String(d.id)) : undefined}
          animate={false}
          role="img"
        />
      </div>
      <ul className="chart-legend chart-legend-side" style={{ color: palette.text }}>
        {data.map((d) => (
          <li key={d.id}>
            <span className="legend-swatch" style={{ background: d.color }} />
            <span>{d.label}</span>
            <strong>{format(d.value)}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}
