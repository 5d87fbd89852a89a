import { ResponsiveHeatMap } from '@nivo/heatmap';
import type { ReactNode } from 'react';
import type { HeatRow } from './chart-data.ts';
import { readableTextOn } from './readable-text.ts';
import { useChartTheme } from './use-chart-theme.ts';

const MIN_CELL_WIDTH = 24;

/** Rows × columns of counts; a tooltip per cell and an optional click-through per cell. */
export function HeatMapChart({
  rows,
  label,
  columnLabel,
  rowLabel,
  tooltip,
  onCellClick,
  height,
  leftMargin = 180,
}: {
  rows: readonly HeatRow[];
  label: string;
  columnLabel: (column: string) => string;
  rowLabel?: (row: string) => string;
  tooltip: (row: string, column: string, value: number | null) => ReactNode;
  onCellClick?: (row: string, column: string) => void;
  height?: number;
  leftMargin?: number;
}) {
  const { theme, palette } = useChartTheme();
  const columns = rows[0]?.data.length ?? 0;
  return (
    <figure className="chart chart-scroll" style={{ height: height ?? Math.max(160, rows.length * 26 + 60) }} aria-label={label}>
      {/* Cells stay wide enough for their labels and hour ticks; a narrow screen scrolls the chart sideways. */}
      <div className="chart-canvas" style={{ minWidth: leftMargin + 20 + columns * MIN_CELL_WIDTH }}>
        <ResponsiveHeatMap
          data={rows.map((r) => ({ id: r.id, data: r.data.map((d) => ({ ...d })) }))}
          theme={theme}
          margin={{ top: 28, right: 12, bottom: 8, left: leftMargin }}
          xInnerPadding={0.06}
          yInnerPadding={0.08}
          axisTop={{ tickSize: 0, tickPadding: 6, format: (v: string) => (columns > 12 && Number(v) % 3 !== 0 ? '' : columnLabel(v)) }}
          axisLeft={{ tickSize: 0, tickPadding: 8, format: rowLabel ? (v: string) => rowLabel(v) : undefined }}
          colors={{ type: 'sequential', colors: [...palette.heat] as [string, string], minValue: 0 }}
          emptyColor={palette.surfaceAlt}
          borderRadius={2}
          enableLabels
          labelTextColor={(cell) => readableTextOn(cell.color)}
          hoverTarget="cell"
          tooltip={({ cell }) => <div className="chart-tooltip">{tooltip(cell.serieId, String(cell.data.x), cell.value)}</div>}
          onClick={onCellClick ? (cell) => { if (cell.value) onCellClick(cell.serieId, String(cell.data.x)); } : undefined}
          animate={false}
          role="img"
          ariaLabel={label}
        />
      </div>
    </figure>
  );
}
