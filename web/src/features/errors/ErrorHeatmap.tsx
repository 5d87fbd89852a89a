import { useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { HeatMapChart } from '../../components/charts/HeatMapChart.tsx';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { logsHref } from '../shared/Endpoint.tsx';
import { latestHourWindow } from './heatmap.ts';

export const ErrorHeatmap_ErrorHeatmapRowFragment = graphql(/* GraphQL */ `
  fragment ErrorHeatmap_ErrorHeatmapRowFragment on ErrorHeatmapRow {
    id
    service
    method
    route
    errors
    data {
      hour
      requests
      errors
      errorRate
    }
  }
`);

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** Errors per hour of day (in the dashboard's zone) and endpoint; a cell opens its logs. */
export function ErrorHeatmap({
  rows: refs,
  range,
}: {
  rows: readonly FragmentType<typeof ErrorHeatmap_ErrorHeatmapRowFragment>[];
  range: { from: number; to: number };
}) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const [, navigate] = useLocation();
  const rows = getFragmentData(ErrorHeatmap_ErrorHeatmapRowFragment, refs);
  const byId = useMemo(() => new Map(rows.map((r) => [r.id, r])), [rows]);
  const label = (r: (typeof rows)[number]) => `${r.method} ${r.route}`;
  const heatRows = useMemo(
    () =>
      rows.map((r) => ({
        id: r.id,
        data: HOURS.map((h) => {
          const cell = r.data.find((c) => c.hour === h);
          return { x: String(h), y: cell && cell.errors > 0 ? cell.errors : null };
        }),
      })),
    [rows],
  );
  if (rows.length === 0) return <EmptyState />;

  const cellOf = (rowId: string, hour: string) => byId.get(rowId)?.data.find((c) => c.hour === Number(hour));
  const open = (rowId: string, hour: string) => {
    const row = byId.get(rowId);
    if (!row) return;
    const window = latestHourWindow(Number(hour), fmt.timeZone, range.from, range.to);
    navigate(logsHref(search, { service: row.service, route: row.route, method: row.method, ...(window ?? {}) }));
  };

  return (
    <>
      <HeatMapChart
        rows={heatRows}
        label={t('errors.heatmap')}
        columnLabel={(h) => fmt.hour(Number(h))}
        leftMargin={Math.min(260, Math.max(120, Math.max(...rows.map((r) => label(r).length)) * 6.6))}
        rowLabel={(id) => {
          const r = byId.get(id);
          return r ? label(r) : id;
        }}
        tooltip={(rowId, hour) => {
          const row = byId.get(rowId);
          const cell = cellOf(rowId, hour);
          return (
            <>
              <strong>{row ? `${label(row)} · ${row.service}` : rowId}</strong>
              <span>
                {t('errors.cellTooltip', { endpoint: row ? label(row) : rowId, hour: fmt.hour(Number(hour)), count: cell?.errors ?? 0 })}
              </span>
              <span className="muted">
                {t('errors.requests')}: {fmt.integer(cell?.requests ?? 0)} · {t('errors.errorRateCell')}:{' '}
                {fmt.percent(cell?.errorRate ?? null)}
              </span>
            </>
          );
        }}
        onCellClick={open}
      />
      {/* The same figures as a table, for screen readers and for checking the chart. A table
          ignores the 1 px box (its rows would still give the page their height), so a block
          around it does the hiding. */}
      <div className="visually-hidden">
        <table data-testid="heatmap-table">
          <caption>{t('errors.heatmap')}</caption>
          <tbody>
            {rows.flatMap((r) =>
              r.data
                .filter((c) => c.errors > 0)
                .map((c) => (
                  <tr key={`${r.id}:${c.hour}`} data-row={r.id} data-hour={c.hour} data-errors={c.errors}>
                    <th>{label(r)}</th>
                    <td>{fmt.hour(c.hour)}</td>
                    <td>{fmt.integer(c.errors)}</td>
                  </tr>
                )),
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
