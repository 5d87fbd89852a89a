// Shaping API rows into what the charts draw. Pure, so it is tested without a browser.

export interface SeriesPoint {
  x: string;
  y: number | null;
}

export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  points: SeriesPoint[];
}

/** Picks numeric columns of time-bucketed rows as line series (nulls stay gaps, not zeros). */
export function toSeries<Row extends { [key: string]: unknown }>(
  rows: readonly Row[],
  time: keyof Row,
  columns: readonly { key: keyof Row; label: string; color: string }[],
): ChartSeries[] {
  return columns.map((column) => ({
    id: String(column.key),
    label: column.label,
    color: column.color,
    points: rows.map((row) => {
      const value = row[column.key];
      return { x: String(row[time]), y: typeof value === 'number' && Number.isFinite(value) ? value : null };
    }),
  }));
}

/**
 * The buckets that have ended by `now`. The current one is still filling: drawn, its count would
 * dip at the right edge of every chart as if traffic were falling. Charts leave it out (and say
 * so); totals elsewhere still include its requests.
 */
export function completeBuckets<P extends { bucket: string }>(points: readonly P[], bucketSeconds: number, now: number): { complete: P[]; partial: number } {
  const complete = points.filter((p) => Date.parse(p.bucket) + bucketSeconds * 1000 <= now);
  return { complete, partial: points.length - complete.length };
}

export function seriesHasData(series: readonly ChartSeries[]): boolean {
  return series.some((s) => s.points.some((p) => p.y !== null && p.y !== 0));
}

export interface HeatCell {
  row: string;
  column: string;
  value: number;
}

export interface HeatRow {
  id: string;
  data: { x: string; y: number | null }[];
}

/**
 * Rows × columns grid for the heat map: every row gets every column (missing cells are null,
 * drawn empty), rows ordered by their total, busiest first, at most `maxRows` rows.
 */
export function toHeatRows(cells: readonly HeatCell[], columns: readonly string[], maxRows = 15): HeatRow[] {
  const byRow = new Map<string, Map<string, number>>();
  for (const cell of cells) {
    let row = byRow.get(cell.row);
    if (!row) {
      row = new Map();
      byRow.set(cell.row, row);
    }
    row.set(cell.column, (row.get(cell.column) ?? 0) + cell.value);
  }
  const total = (row: Map<string, number>) => [...row.values()].reduce((a, b) => a + b, 0);
  return [...byRow.entries()]
    .sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]))
    .slice(0, maxRows)
    .map(([id, row]) => ({ id, data: columns.map((x) => ({ x, y: row.get(x) ?? null })) }));
}

/** Relative change of `current` against `previous`; null when there is nothing to compare with. */
export function relativeChange(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current === null || current === undefined || previous === null || previous === undefined) return null;
  if (!Number.isFinite(current) || !Number.isFinite(previous) || previous === 0) return null;
  return (current - previous) / previous;
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'other';

export function statusClassOf(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 600) return '5xx';
  return 'other';
}
