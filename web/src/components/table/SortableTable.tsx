import type { KeyboardEvent, ReactNode } from 'react';
import { sortRows, type SortDirection, type SortValue } from './sort.ts';

export interface Column<Row> {
  key: string;
  label: ReactNode;
  numeric?: boolean;
  sortValue?: (row: Row) => SortValue;
  render: (row: Row) => ReactNode;
}

/** A table whose headers sort it (click or keyboard); rows may open something on click or Enter. */
export function SortableTable<Row>({
  rows,
  columns,
  rowKey,
  sort,
  onSort,
  onRowClick,
  testId,
}: {
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => string;
  sort: { key: string; direction: SortDirection };
  onSort: (sort: { key: string; direction: SortDirection }) => void;
  onRowClick?: (row: Row) => void;
  testId?: string;
}) {
  const column = columns.find((c) => c.key === sort.key && c.sortValue);
  const sorted = column?.sortValue ? sortRows(rows, column.sortValue, sort.direction) : rows;
  const onKey = (row: Row) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' && onRowClick) onRowClick(row);
  };
  return (
    <div className="table-wrap">
      <table className="data" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = c.key === sort.key;
              return (
                <th key={c.key} className={c.numeric ? 'num' : undefined} aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}>
                  {c.sortValue ? (
                    <button
                      type="button"
                      className="sort-button"
                      aria-pressed={active}
                      onClick={() => onSort({ key: c.key, direction: active ? (sort.direction === 'asc' ? 'desc' : 'asc') : c.numeric ? 'desc' : 'asc' })}
                    >
                      {c.label}
                      <span aria-hidden="true">{active ? (sort.direction === 'asc' ? '▲' : '▼') : '↕'}</span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={rowKey(row)} className={onRowClick ? 'clickable' : undefined} onClick={onRowClick ? () => onRowClick(row) : undefined} onKeyDown={onKey(row)} tabIndex={onRowClick ? 0 : undefined}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
