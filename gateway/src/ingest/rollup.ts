import { HistogramBuilder } from '../analytics/histogram.ts';

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
  hist: HistogramBuilder;
}

/**
 * Aggregates a batch into rollup rows for buckets of `bucketMs` (60 000 or 3 600 000). Rows come
 * out sorted by key so concurrent batches upsert in the same order and cannot deadlock.
 */
export function rollupBatch(records: readonly Rollable[], bucketMs: number): RollupRows {
  const groups = new Map<string, Group>();
  for (const r of records) {
    const bucket = Math.floor(r.timestamp.getTime() / bucketMs) * bucketMs;
    const key = `${bucket}\u0001${r.service}\u0001${r.method}\u0001${r.route}\u0001${r.status}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, bucket, record: r, count: 0, sum: 0, max: 0, hist: new HistogramBuilder() };
      groups.set(key, g);
    }
    g.count++;
    g.sum += r.latencyMs;
    if (r.latencyMs > g.max) g.max = r.latencyMs;
    g.hist.add(r.latencyMs);
  }
  const rows: RollupRows = {
    bucket: [], service: [], method: [], route: [], status: [], count: [], latencySum: [], latencyMax: [], histKeys: [], histCounts: [],
  };
  for (const g of [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const h = g.hist.toSparse();
    rows.bucket.push(new Date(g.bucket));
    rows.service.push(g.record.service);
    rows.method.push(g.record.method);
    rows.route.push(g.record.route);
    rows.status.push(g.record.status);
    rows.count.push(g.count);
    rows.latencySum.push(g.sum);
    rows.latencyMax.push(g.max);
    rows.histKeys.push(`{${h.keys.join(',')}}`);
    rows.histCounts.push(`{${h.counts.join(',')}}`);
  }
  return rows;
}

/** Upsert of RollupRows into rollup_minute or rollup_hour; histograms merge by key. */
export function rollupUpsertSql(table: 'rollup_minute' | 'rollup_hour'): string {
  return `INSERT INTO ${table} AS r (bucket, service, method, route, status, count, latency_sum, latency_max, hist_keys, hist_counts)
SELECT b, s, m, rt, st, c, ls, lm, hk::smallint[], hc::int[]
FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::int[], $7::float8[], $8::float8[], $9::text[], $10::text[])
  AS t(b, s, m, rt, st, c, ls, lm, hk, hc)
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
