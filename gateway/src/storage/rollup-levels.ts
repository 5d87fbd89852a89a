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
export type ServiceRollupTable = 'rollup_service_5m' | 'rollup_service_15m' | 'rollup_service_hour';
export type AllRollupTable = 'rollup_all_5m' | 'rollup_all_15m' | 'rollup_all_hour';
export type ServiceStatusRollupTable = 'rollup_status_5m' | 'rollup_status_hour';
export type DerivedRollupTable = EndpointRollupTable | ServiceRollupTable | AllRollupTable | ServiceStatusRollupTable;
export type RollupTable = StatusRollupTable | DerivedRollupTable;

/** A derived level: built by compaction, keyed by bucket plus `keys`. */
export interface DerivedLevel<T extends DerivedRollupTable = DerivedRollupTable> {
  table: T;
  seconds: number;
  /** The table it is built from: an ingest-written one, or a finer derived level (built first). */
  source: RollupTable;
  keys: readonly ('service' | 'method' | 'route' | 'status')[];
}

export type EndpointLevel = DerivedLevel<EndpointRollupTable>;
export type ServiceLevel = DerivedLevel<ServiceRollupTable>;
export type AllLevel = DerivedLevel<AllRollupTable>;
export type ServiceStatusLevel = DerivedLevel<ServiceStatusRollupTable>;

const ENDPOINT_KEYS = ['service', 'method', 'route'] as const;

/** Coarsest first: a read takes whole buckets from the coarsest level that fits. */
export const ENDPOINT_LEVELS: readonly EndpointLevel[] = [
  { table: 'rollup_endpoint_hour', seconds: 3600, source: 'rollup_hour', keys: ENDPOINT_KEYS },
  { table: 'rollup_endpoint_15m', seconds: 900, source: 'rollup_endpoint_5m', keys: ENDPOINT_KEYS },
  { table: 'rollup_endpoint_5m', seconds: 300, source: 'rollup_minute', keys: ENDPOINT_KEYS },
];

/**
 * Per-service levels (bucket × service, with histograms), built from the endpoint levels: overall
 * and per-service series (traffic, the overall anomaly series) merge one row per service and
 * bucket instead of one per endpoint. Same dirty-mark rule as the endpoint levels.
 */
export const SERVICE_LEVELS: readonly ServiceLevel[] = [
  { table: 'rollup_service_hour', seconds: 3600, source: 'rollup_endpoint_hour', keys: ['service'] },
  { table: 'rollup_service_15m', seconds: 900, source: 'rollup_service_5m', keys: ['service'] },
  { table: 'rollup_service_5m', seconds: 300, source: 'rollup_endpoint_5m', keys: ['service'] },
];

/**
 * All-traffic levels (one row per bucket, with histograms and the latency summary), built from
 * the per-service levels: the unfiltered overall series (traffic, the overall anomaly series and
 * its seasonal hours) read one stored row per point, and take its p50/p95/p99 from the summary
 * instead of merging every service's histogram. Same dirty-mark rule as the other levels.
 */
export const ALL_LEVELS: readonly AllLevel[] = [
  { table: 'rollup_all_hour', seconds: 3600, source: 'rollup_service_hour', keys: [] },
  { table: 'rollup_all_15m', seconds: 900, source: 'rollup_all_5m', keys: [] },
  { table: 'rollup_all_5m', seconds: 300, source: 'rollup_service_5m', keys: [] },
];

/**
 * Per-service-and-status levels (bucket × service × status, with histograms) at 5 minutes and 1
 * hour, built from the ingest tables: reads grouped by status that need nothing finer than the
 * service (errorDistribution) read a few rows per service and bucket instead of one per endpoint
 * and status, and 5-minute rows instead of minutes at the range's edges. Same dirty-mark rule as
 * the other derived levels.
 */
export const SERVICE_STATUS_LEVELS: readonly ServiceStatusLevel[] = [
  { table: 'rollup_status_hour', seconds: 3600, source: 'rollup_hour', keys: ['service', 'status'] },
  { table: 'rollup_status_5m', seconds: 300, source: 'rollup_minute', keys: ['service', 'status'] },
];

/** The order to build the endpoint levels in: each after the level it is built from. */
export const BUILD_ORDER: readonly EndpointLevel[] = [...ENDPOINT_LEVELS].reverse();

/**
 * Every derived level in build order (the service levels after the endpoint levels they read,
 * the all-traffic levels after the service levels; the status levels read the ingest tables).
 */
export const DERIVED_BUILD_ORDER: readonly DerivedLevel[] = [
  ...BUILD_ORDER,
  ...[...SERVICE_LEVELS].reverse(),
  ...[...ALL_LEVELS].reverse(),
  ...[...SERVICE_STATUS_LEVELS].reverse(),
];

const DERIVED_TABLES: ReadonlySet<RollupTable> = new Set(DERIVED_BUILD_ORDER.map((l) => l.table));

export const isDerivedTable = (table: RollupTable): table is DerivedRollupTable => DERIVED_TABLES.has(table);

/** Width of the buckets ingest marks in rollup_dirty (the finest endpoint level). */
export const DIRTY_BUCKET_SECONDS = 300;

/** Every rollup table, for retention. */
export const ROLLUP_TABLES: readonly RollupTable[] = ['rollup_minute', 'rollup_hour', ...DERIVED_BUILD_ORDER.map((l) => l.table)];

/** Bucket alignment shared with time-bucket.ts (a Monday, UTC; aligned to every divisor of a day). */

/**
 * INSERT … SELECT building `level` from its source rows that match `where` (an SQL condition
 * on the source's `bucket`, with bind parameters of the caller). The rows it inserts must not
 * exist yet (compaction deletes the buckets first). The migration that created these tables
 * runs the same statements without a condition to backfill them (the frozen comment of
 * 20261126000000_endpoint_rollups calls this endpointRollupSql, from when it built only those).
 */
export function derivedRollupSql(level: DerivedLevel, where?: string): string {
  // Each key with its leading comma: the all-traffic levels have none (keyed by bucket alone).
  const keys = level.keys.map((k) => `, ${k}`).join('');
  const errors = isDerivedTable(level.source)
    ? 'errors_4xx AS e4, errors_5xx AS e5'
    : 'CASE WHEN status >= 400 AND status < 500 THEN count ELSE 0 END AS e4, CASE WHEN status >= 500 THEN count ELSE 0 END AS e5';
  const bucket = `date_bin('${level.seconds} seconds'::interval, bucket, ${BUCKET_ORIGIN_SQL}) AS b`;
  const filter = where ? ` WHERE ${where}` : '';
  // The source is read twice (totals, histograms) rather than through a CTE, which PostgreSQL
  // would materialise with every array; set-returning functions in the select list expand the
  // histograms several times faster than a LATERAL unnest.
  return `INSERT INTO ${level.table} (bucket${keys}, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b${level.keys.map((k) => `, t.${k}`).join('')}, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b${keys}, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT ${bucket}${keys}, count, ${errors}, latency_sum, latency_max FROM ${level.source}${filter}) AS src
  GROUP BY b${keys}
) AS t LEFT JOIN (
  SELECT b${keys}, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b${keys}, k, sum(n)::int AS n
    FROM (SELECT ${bucket}${keys}, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM ${level.source}${filter}) AS entries
    GROUP BY b${keys}, k
  ) AS per_key
  GROUP BY b${keys}
) AS h USING (b${keys})`;
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
 * The levels holding the summary: the endpoint levels, whose rows are a per-endpoint series'
 * points, and the all-traffic levels, whose rows are the overall series' points.
 */
export const SUMMARISED_TABLES: ReadonlySet<DerivedRollupTable> = new Set([...ENDPOINT_LEVELS, ...ALL_LEVELS].map((l) => l.table));

/**
 * UPDATE filling the summary keys of `level`'s rows matching `where` (on `bucket`, bind
 * parameters of the caller). Compaction runs it after rebuilding a bucket; migration
 * 20261206040000_endpoint_latency_summary runs it without a condition to backfill. Rows it has not
 * touched (NULL keys) are read through their histogram.
 */
export function latencySummarySql(level: DerivedLevel, where?: string): string {
  return `UPDATE ${level.table} SET
  p50_key = ${quantileKeySql('0.5::float8')},
  p95_key = ${quantileKeySql('0.95::float8')},
  p99_key = ${quantileKeySql('0.99::float8')},
  p95_lower_key = ${quantileKeySql(P95_LOWER_LEVEL_SQL)}${where ? `\nWHERE ${where}` : ''}`;
}

/**
 * The statements that build every derived level, with its summaries, from everything stored (the
 * levels must be empty): what the migrations' backfills add up to, for tools and tests that load
 * the ingest tables directly.
 */
export function buildDerivedLevelsSql(): string[] {
  return DERIVED_BUILD_ORDER.flatMap((level) =>
    SUMMARISED_TABLES.has(level.table) ? [derivedRollupSql(level), latencySummarySql(level)] : [derivedRollupSql(level)],
  );
}
