export type SortDirection = 'asc' | 'desc';
export type SortValue = number | string | null | undefined;

/**
 * Stable sort by one value; missing values (null: no requests, no latency) always go last,
 * whichever the direction, so "slowest first" never starts with blanks.
 */
export function sortRows<Row>(rows: readonly Row[], value: (row: Row) => SortValue, direction: SortDirection): Row[] {
  const sign = direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, v: value(row) }))
    .sort((a, b) => {
      const aMissing = a.v === null || a.v === undefined || (typeof a.v === 'number' && Number.isNaN(a.v));
      const bMissing = b.v === null || b.v === undefined || (typeof b.v === 'number' && Number.isNaN(b.v));
      if (aMissing || bMissing) return aMissing === bMissing ? a.index - b.index : aMissing ? 1 : -1;
      const cmp = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return cmp === 0 ? a.index - b.index : cmp * sign;
    })
    .map((x) => x.row);
}

/** Case-insensitive match of every whitespace-separated term against any of the row's texts. */
export function matchesSearch(texts: readonly (string | null | undefined)[], query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const haystack = texts.filter(Boolean).join(' ').toLowerCase();
  return terms.every((term) => haystack.includes(term));
}
