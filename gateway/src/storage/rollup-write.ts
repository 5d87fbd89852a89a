import { bucketKey } from './histogram.ts';

/** The rows a batch adds to one rollup table: one per (bucket, service, method, route, status). */
export interface RollupRows {
  bucket: Date[];
  service: string[];
  method: string[];
  route: string[];
  status: number[];
  count: number[];
  latencySum: number[];
  latencyMax: number[];
  /** PostgreSQL array literals ('{3,17}'), cast in SQL: unnest cannot carry nested arrays. */
  histKeys: string[];
  histCounts: string[];
}

interface Rollable {
  timestamp: Date;
  service: string;
  method: string;
  route: string;
  status: number;
  latencyMs: number;
}

interface Group {
  key: string;
  bucket: number;
  record: Rollable;
  count: number;
  sum: number;
  max: number;
  /** Histogram key → count. */
  hist: Map<number, number>;
}

/** Accumulates records into the groups of one bucket width. */
class RollupAccumulator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly bucketMs: number) {}

  add(r: Rollable, histKey: number, time: number): void {
    const bucket = Math.floor(time / this.bucketMs) * this.bucketMs;
    const key = `${bucket}\u0001${r.service}\u0001${r.method}\u0001${r.route}\u0001${r.status}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { key, bucket, record: r, count: 0, sum: 0, max: 0, hist: new Map() };
      this.groups.set(key, g);
    }
    g.count++;
    g.sum += r.latencyMs;
    if (r.latencyMs > g.max) g.max = r.latencyMs;
    g.hist.set(histKey, (g.hist.get(histKey) ?? 0) + 1);
  }

  rows(): RollupRows {
    const rows: RollupRows = {
      bucket: [], service: [], method: [], route: [], status: [], count: [], latencySum: [], latencyMax: [], histKeys: [], histCounts: [],
    };
    for (const g of [...this.groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      const keys = [...g.hist.keys()].sort((a, b) => a - b);
      rows.bucket.push(new Date(g.bucket));
      rows.service.push(g.record.service);
      rows.method.push(g.record.method);
      rows.route.push(g.record.route);
      rows.status.push(g.record.status);
      rows.count.push(g.count);
      rows.latencySum.push(g.sum);
      rows.latencyMax.push(g.max);
      rows.histKeys.push(`{${keys.join(',')}}`);
      rows.histCounts.push(`{${keys.map((k) => g.hist.get(k)).join(',')}}`);
    }
    return rows;
  }
}

/**
 * Aggregates a batch into rollup rows for buckets of `bucketMs` (60 000 or 3 600 000). Rows come
 * out sorted by key so concurrent batches upsert in the same order and cannot deadlock.
 */
export function rollupBatch(records: readonly Rollable[], bucketMs: number): RollupRows {
  const acc = new RollupAccumulator(bucketMs);
  for (const r of records) acc.add(r, bucketKey(r.latencyMs), r.timestamp.getTime());
  return acc.rows();
}

/** Minute and hour rollups of a batch in one pass: each latency's histogram key is computed once. */
export function rollupMinuteAndHour(records: readonly Rollable[]): { minute: RollupRows; hour: RollupRows } {
  const minute = new RollupAccumulator(60_000);
  const hour = new RollupAccumulator(3_600_000);
  for (const r of records) {
    const key = bucketKey(r.latencyMs);
    const time = r.timestamp.getTime();
    minute.add(r, key, time);
    hour.add(r, key, time);
  }
  return { minute: minute.rows(), hour: hour.rows() };
}

/**
 * Upsert of RollupRows into rollup_minute or rollup_hour; histograms merge by key. Its ten
 * parameters start at `$firstParam`, and `onlyIf` (an SQL condition) lets it run as one part of a
 * larger statement (write-batch.ts).
 */
export function rollupUpsertSql(table: 'rollup_minute' | 'rollup_hour', options: { firstParam?: number; onlyIf?: string } = {}): string {
  const p = (i: number) => `$${(options.firstParam ?? 1) + i}`;
  return `INSERT INTO ${table} AS r (bucket, service, method, route, status, count, latency_sum, latency_max, hist_keys, hist_counts)
SELECT b, s, m, rt, st, c, ls, lm, hk::smallint[], hc::int[]
FROM unnest(${p(0)}::timestamptz[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::smallint[], ${p(5)}::int[], ${p(6)}::float8[], ${p(7)}::float8[], ${p(8)}::text[], ${p(9)}::text[])
  AS t(b, s, m, rt, st, c, ls, lm, hk, hc)${options.onlyIf ? `\nWHERE ${options.onlyIf}` : ''}
ON CONFLICT (bucket, service, method, route, status) DO UPDATE SET
  count = r.count + EXCLUDED.count,
  latency_sum = r.latency_sum + EXCLUDED.latency_sum,
  latency_max = GREATEST(r.latency_max, EXCLUDED.latency_max),
  (hist_keys, hist_counts) = (
    SELECT array_agg(k ORDER BY k), array_agg(n ORDER BY k)
    FROM (
      SELECT k, sum(n)::int AS n
      FROM (SELECT * FROM unnest(r.hist_keys, r.hist_counts)
            UNION ALL SELECT * FROM unnest(EXCLUDED.hist_keys, EXCLUDED.hist_counts)) AS u(k, n)
      GROUP BY k
    ) AS merged
  )`;
}

export function rollupParams(rows: RollupRows): unknown[] {
  return [rows.bucket, rows.service, rows.method, rows.route, rows.status, rows.count, rows.latencySum, rows.latencyMax, rows.histKeys, rows.histCounts];
}
