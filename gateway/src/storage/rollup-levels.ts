import { P95_BOUND_Z } from './histogram.ts';
import { BUCKET_ORIGIN_SQL } from './time-bucket.ts';

/**
 * The rollup tables and how the derived ones are built.
 *
 * Ingest writes rollup_minute and rollup_hour, keyed (bucket, service, method, route, status).
 * The endpoint rollups drop the status (keeping 4xx/5xx counts) and are coarser: one row per
 * endpoint and 5-minute, 15-minute or hour bucket. They are derived from the ingest-written
 * tables by compaction (rollup-compaction.ts), so ingest pays nothing for them, and
 * reads use them only for buckets that compaction has rebuilt since ingest last touched them
 * (see rollup_dirty). The aggregation is exact: counts, 4xx/5xx, sum and max add up, and
 * histograms merge by summing counts per key, so a read gives the same answer whichever level
 * it comes from.
 */

export type StatusRollupTable = 'rollup_minute' | 'rollup_hour';
export type EndpointRollupTable = 'rollup_endpoint_5m' | 'rollup_endpoint_15m' | 'rollup_endpoint_hour';
export type RollupTable = StatusRollupTable | EndpointRollupTable;

export interface EndpointLevel {
  table: EndpointRollupTable;
  seconds: number;
  /** The table it is built from: an ingest-written one, or a finer endpoint level (built first). */
  source: RollupTable;
}

/** Coarsest first: a read takes whole buckets from the coarsest level that fits. */
export const ENDPOINT_LEVELS: readonly EndpointLevel[] = [
  { table: 'rollup_endpoint_hour', seconds: 3600, source: 'rollup_hour' },
  { table: 'rollup_endpoint_15m', seconds: 900, source: 'rollup_endpoint_5m' },
  { table: 'rollup_endpoint_5m', seconds: 300, source: 'rollup_minute' },
];

/** The order to build levels in: each after the level it is built from. */
export const BUILD_ORDER: readonly EndpointLevel[] = [...ENDPOINT_LEVELS].reverse();

/** Width of the buckets ingest marks in rollup_dirty (the finest endpoint level). */
export const DIRTY_BUCKET_SECONDS = 300;

/** Every rollup table, for retention. */
export const ROLLUP_TABLES: readonly RollupTable[] = ['rollup_minute', 'rollup_hour', ...ENDPOINT_LEVELS.map((l) => l.table)];

/** Bucket alignment shared with time-bucket.ts (a Monday, UTC; aligned to every divisor of a day). */

/**
 * INSERT … SELECT building `level` from its source rows that match `where` (an SQL condition
 * on the source's `bucket`, with bind parameters of the caller). The rows it inserts must not
 * exist yet (compaction deletes the buckets first). The migration that created these tables
 * runs the same statements without a condition to backfill them.
 */
export function endpointRollupSql(level: EndpointLevel, where?: string): string {
  const errors = level.source.startsWith('rollup_endpoint_')
    ? 'errors_4xx AS e4, errors_5xx AS e5'
    : 'CASE WHEN status >= 400 AND status < 500 THEN count ELSE 0 END AS e4, CASE WHEN status >= 500 THEN count ELSE 0 END AS e5';
  const bucket = `date_bin('${level.seconds} seconds'::interval, bucket, ${BUCKET_ORIGIN_SQL}) AS b`;
  const filter = where ? ` WHERE ${where}` : '';
  // The source is read twice (totals, histograms) rather than through a CTE, which PostgreSQL
  // would materialise with every array; set-returning functions in the select list expand the
  // histograms several times faster than a LATERAL unnest.
  return `INSERT INTO ${level.table} (bucket, service, method, route, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.method, t.route, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, method, route, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT ${bucket}, service, method, route, count, ${errors}, latency_sum, latency_max FROM ${level.source}${filter}) AS src
  GROUP BY b, service, method, route
) AS t LEFT JOIN (
  SELECT b, service, method, route, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, method, route, k, sum(n)::int AS n
    FROM (SELECT ${bucket}, service, method, route, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM ${level.source}${filter}) AS entries
    GROUP BY b, service, method, route, k
  ) AS per_key
  GROUP BY b, service, method, route
) AS h USING (b, service, method, route)`;
}

/**
 * SQL for the histogram key holding the `level`-quantile of the row's histogram (`level` an SQL
 * float8 expression): the same rank rule as histogram.ts `quantile`, over the arrays in stored
 * order. NULL when the histogram is empty or `level` is NULL.
 */
function quantileKeySql(level: string): string {
  return `(SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((${level}) * e.total)) ORDER BY e.i LIMIT 1)`;
}

/** histogram.ts `p95LowerLevel(count)` in SQL, operation for operation (NULL for count 0). */
const P95_LOWER_LEVEL_SQL = `greatest(0, 0.95::float8 - ${P95_BOUND_Z}::float8 * sqrt((0.95::float8 * (1 - 0.95::float8)) / nullif(count, 0)))`;

/**
 * The latency summary stored beside each endpoint-level row's histogram: the keys of its p50,
 * p95, p99 and of the lower end of p95's 99 % confidence interval (histogram.ts). A series read
 * where one row is one point (rollup-read.ts `summaries`) turns these into numbers instead of
 * shipping and walking the histogram. They are exact functions of the row, so the answer is the
 * same; but a p95 does not merge, so any read that combines rows still merges histograms.
 */
export const SUMMARY_KEY_COLUMNS = ['p50_key', 'p95_key', 'p99_key', 'p95_lower_key'] as const;

/**
 * UPDATE filling the summary keys of `level`'s rows matching `where` (on `bucket`, bind
 * parameters of the caller). Compaction runs it after rebuilding a bucket; migration
 * 20261206040000_endpoint_latency_summary runs it without a condition to backfill. Rows it has not
 * touched (NULL keys) are read through their histogram.
 */
export function latencySummarySql(level: EndpointLevel, where?: string): string {
  return `UPDATE ${level.table} SET
  p50_key = ${quantileKeySql('0.5::float8')},
  p95_key = ${quantileKeySql('0.95::float8')},
  p99_key = ${quantileKeySql('0.99::float8')},
  p95_lower_key = ${quantileKeySql(P95_LOWER_LEVEL_SQL)}${where ? `\nWHERE ${where}` : ''}`;
}
