import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { bucketKey, GAMMA, MAX_KEY, MIN_MS } from '@logpulse/gateway/storage/histogram';
import { BUILD_ORDER, buildDerivedLevelsSql, DERIVED_BUILD_ORDER } from '@logpulse/gateway/storage/rollup-levels';
import { rollupBatch, type RollupRows } from '@logpulse/gateway/storage/rollup-write';
import { applyMigrations } from '@logpulse/gateway/storage/migrate';
import { createScratchDatabase, databaseExists, databaseUrl, SINGLE_NODE, type BenchTarget } from './scratch-db.ts';
import { endpointSlots, ENDPOINTS, STATUS_4XX, STATUS_5XX, USER_AGENTS } from './workload.ts';

/** Bump when the generated data changes shape, so kept databases are rebuilt. */
const SEED_VERSION = 4;
const DAY_MS = 86_400_000;
const CHUNK = 1_000_000;
const RECORDS_PER_BATCH = 1_000;

export interface Dataset {
  name: string;
  url: string;
  rows: number;
  /** The data covers [from, to). */
  from: Date;
  to: Date;
  minuteRollups: number;
  hourRollups: number;
  /** Seconds spent generating (0 when an existing database was reused). */
  seedSeconds: number;
  reused: boolean;
  /** Rollup rows compared against the ingest's own rollupBatch, and how many differed. */
  verified: { compared: number; mismatches: number } | null;
}

export interface DatasetOptions {
  rows: number;
  days: number;
  /** Rebuild even when a database of the right size exists. */
  fresh?: boolean;
  scope?: string;
  /** Where the dataset lives (a single PostgreSQL unless given). */
  target?: BenchTarget;
  log?: (line: string) => void;
}

export function datasetName(rows: number, days: number, scope?: string): string {
  return `logpulse_bench_${rows}_${days}d${scope ? `_${scope}` : ''}`;
}

/**
 * A database holding `rows` synthetic requests over the last `days` days with the rollups ingest
 * would have built. Generation happens inside PostgreSQL (INSERT … SELECT generate_series, then
 * one GROUP BY per rollup level), and a database that already has the right size and seed
 * version is reused: 10M rows take minutes to build on two cores.
 */
export async function ensureDataset(options: DatasetOptions): Promise<Dataset> {
  const log = options.log ?? (() => {});
  const name = datasetName(options.rows, options.days, options.scope);
  const target = options.target ?? SINGLE_NODE;
  const url = databaseUrl(name, target);
  if (!options.fresh && (await databaseExists(name, target))) {
    const existing = await readMeta(url);
    if (existing && existing.rows === options.rows && existing.version === SEED_VERSION) {
      log(`reusing ${name} (${options.rows.toLocaleString('en')} rows seeded ${existing.seededAt.toISOString()})`);
      return { name, url, ...existing, seedSeconds: 0, reused: true, verified: null };
    }
  }
  // A cluster compared with one PostgreSQL gets that server's records of the same dataset when it
  // has them: the same rows on both sides, and COPY into the shards is several times faster than
  // generating on the coordinator (INSERT … SELECT there is planned through the coordinator too).
  const source =
    target.citusWorkers?.length && target !== SINGLE_NODE && (await databaseExists(name, SINGLE_NODE))
      ? await readMeta(databaseUrl(name, SINGLE_NODE))
      : null;
  const copySource = source && source.rows === options.rows && source.version === SEED_VERSION ? source : null;
  await createScratchDatabase(name, target);
  const pool = new pg.Pool({ connectionString: url, max: COPY_STREAMS + 1 });
  try {
    await applyMigrations(pool);
    const to = copySource ? copySource.to : new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const from = copySource ? copySource.from : new Date(to.getTime() - options.days * DAY_MS);
    const started = performance.now();
    if (copySource) await copyDataset(databaseUrl(name, SINGLE_NODE), pool, options.rows, log);
    else await seedLogs(pool, { rows: options.rows, from, to, log });
    await buildRollups(pool, log);
    log('vacuum analyze');
    await pool.query('VACUUM ANALYZE');
    // On Citus a bare VACUUM stays on the coordinator; naming the tables reaches their shards.
    if (target.citusWorkers?.length)
      await pool.query(`VACUUM ANALYZE logs, ${['rollup_minute', 'rollup_hour', ...DERIVED_BUILD_ORDER.map((l) => l.table)].join(', ')}`);
    const seedSeconds = (performance.now() - started) / 1000;
    const verified = await verifyRollups(pool, from, to);
    if (verified.mismatches > 0)
      throw new Error(`seeded rollups differ from the ingest's rollupBatch on ${verified.mismatches} of ${verified.compared} rows`);
    const counts = await rollupCounts(pool);
    await pool.query(
      `CREATE TABLE bench_dataset (rows bigint, version int, data_from timestamptz, data_to timestamptz, seeded_at timestamptz DEFAULT now());
       INSERT INTO bench_dataset VALUES (${options.rows}, ${SEED_VERSION}, '${from.toISOString()}', '${to.toISOString()}')`,
    );
    return { name, url, rows: options.rows, from, to, ...counts, seedSeconds, reused: false, verified };
  } finally {
    await pool.end();
  }
}

async function readMeta(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ rows: string; version: number; data_from: Date; data_to: Date; seeded_at: Date }>(
      'SELECT rows::text, version, data_from, data_to, seeded_at FROM bench_dataset',
    );
    const meta = rows[0];
    if (!meta) return null;
    const counts = await rollupCounts(client);
    return { rows: Number(meta.rows), version: meta.version, from: meta.data_from, to: meta.data_to, seededAt: meta.seeded_at, ...counts };
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

async function rollupCounts(db: pg.Pool | pg.Client) {
  const { rows } = await db.query<{ m: string; h: string }>(
    'SELECT (SELECT count(*) FROM rollup_minute)::text AS m, (SELECT count(*) FROM rollup_hour)::text AS h',
  );
  return { minuteRollups: Number(rows[0]!.m), hourRollups: Number(rows[0]!.h) };
}

/**
 * The generator in SQL: the same catalogue, status mix and log-normal latencies as
 * workload.ts, a diurnal curve (4× more traffic at 14:00 UTC than at 02:00), and one incident
 * (checkout failing and slow for an hour, two days before the end) for the anomaly analyses.
 * Rows come in time order, like a live ingest, so `logs` is physically ordered by time.
 */
const GENERATE_SQL = `
WITH ep AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])
    WITH ORDINALITY AS t(service, method, route, median, sigma, p4xx, p5xx, n)
),
g AS (
  SELECT i, ($8::int[])[1 + floor(random() * array_length($8::int[], 1))::int] AS n,
         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7,
         ((i - 1 + random()) / $11::float8) AS u
  FROM generate_series($9::bigint, $10::bigint) AS i
),
timed AS (
  SELECT g.*, date_trunc('milliseconds', $12::timestamptz
    + ((u - 0.6 * (sin(2 * pi() * $14::float8 * u - $15::float8) + sin($15::float8)) / (2 * pi() * $14::float8)) * $13::float8) * interval '1 millisecond') AS ts
  FROM g
),
shaped AS (
  SELECT t.i, t.ts, ep.service, ep.method, ep.route, t.r1, t.r2, t.r4, t.r5, t.r6, t.r7,
    ep.median * CASE WHEN incident THEN 5 ELSE 1 END AS median, ep.sigma,
    CASE
      WHEN t.r3 < ep.p5xx + CASE WHEN incident THEN 0.3 ELSE 0 END THEN ($17::int[])[1 + floor(t.r7 * array_length($17::int[], 1))::int]
      WHEN t.r3 < ep.p5xx + ep.p4xx + CASE WHEN incident THEN 0.3 ELSE 0 END THEN ($16::int[])[1 + floor(t.r7 * array_length($16::int[], 1))::int]
      WHEN ep.method = 'POST' THEN 201
      WHEN t.r6 < 0.1 THEN 304
      ELSE 200 END AS status
  FROM timed t
  JOIN ep USING (n)
  CROSS JOIN LATERAL (SELECT ep.route = '/api/checkout' AND t.ts >= $19::timestamptz AND t.ts < $19::timestamptz + interval '1 hour' AS incident) AS inc
)
INSERT INTO logs (timestamp, service, method, path, route, status, latency_ms, user_agent, ip_address, request_id, bytes, ingested_at, batch_id)
SELECT ts, service, method,
  replace(replace(replace(route,
    ':id', (1 + floor(r4 * 100000))::text),
    ':hash', floor(r5 * 10)::text || substr(md5(i::text), 1, 15)),
    ':uuid', overlay(overlay(overlay(overlay(md5(i::text || 'u') placing '-' from 9 for 0) placing '-' from 14 for 0) placing '-' from 19 for 0) placing '-' from 24 for 0)),
  route, status,
  round((median * exp(sigma * sqrt(-2 * ln(1 - r1)) * cos(2 * pi() * r2)) * CASE WHEN status >= 500 AND r6 < 0.3 THEN 4 ELSE 1 END)::numeric, 3)::float8,
  ($18::text[])[1 + floor(r5 * r5 * array_length($18::text[], 1))::int],
  '10.' || floor(r4 * 4)::int || '.' || floor(r6 * r6 * r6 * 250)::int || '.' || (1 + floor(r7 * 250))::int,
  'seed-' || to_hex(i),
  CASE WHEN status = 304 THEN 0 ELSE 200 + floor(r6 * r6 * 40000)::int END,
  ts + (500 + floor(r7 * 1500)::int) * interval '1 millisecond',
  'seed-' || ((i - 1) / ${RECORDS_PER_BATCH})
FROM shaped`;

async function seedLogs(pool: pg.Pool, o: { rows: number; from: Date; to: Date; log: (line: string) => void }): Promise<void> {
  const span = o.to.getTime() - o.from.getTime();
  const days = Math.max(1, Math.round(span / DAY_MS));
  // Phase of the daily curve so its peak falls at 14:00 UTC.
  const peakOffset = (((14 * 3_600_000 - (o.from.getTime() % DAY_MS)) % DAY_MS) + DAY_MS) % DAY_MS;
  const phase = (2 * Math.PI * peakOffset) / DAY_MS;
  const incidentStart = new Date(Math.floor((o.to.getTime() - 2 * DAY_MS) / 3_600_000) * 3_600_000 + 10 * 60_000);
  const catalogue = [
    ENDPOINTS.map((e) => e.service),
    ENDPOINTS.map((e) => e.method),
    ENDPOINTS.map((e) => e.route),
    ENDPOINTS.map((e) => e.medianMs),
    ENDPOINTS.map((e) => e.sigma),
    ENDPOINTS.map((e) => e.p4xx),
    ENDPOINTS.map((e) => e.p5xx),
    endpointSlots().map((i) => i + 1),
  ];

  const indexes = await dropLogsIndexes(pool);
  const client = await pool.connect();
  try {
    await client.query(
      `SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2`,
    );
    await client.query('SELECT setseed(0.42)');
    for (let start = 1; start <= o.rows; start += CHUNK) {
      const end = Math.min(o.rows, start + CHUNK - 1);
      await client.query(GENERATE_SQL, [
        ...catalogue,
        start,
        end,
        o.rows,
        o.from,
        span,
        days,
        phase,
        STATUS_4XX,
        STATUS_5XX,
        USER_AGENTS,
        incidentStart,
      ]);
      o.log(`logs: ${end.toLocaleString('en')} / ${o.rows.toLocaleString('en')}`);
    }
    for (const indexdef of indexes) {
      o.log(`index: ${indexdef}`);
      await client.query(indexdef);
    }
    o.log('ingest_batches');
    await client.query(`
      INSERT INTO ingest_batches (digest, service, received_at, accepted, rejected, bytes, service_counts)
      SELECT batch_id, 'default', max(last_at), sum(n)::int, 0, (sum(n) * 260)::int, jsonb_object_agg(service, n)
      FROM (SELECT batch_id, service, count(*) AS n, max(ingested_at) AS last_at FROM logs GROUP BY batch_id, service) AS per_service
      GROUP BY batch_id`);
    await client.query(
      `INSERT INTO service_routes (service, method, route) SELECT DISTINCT service, method, route FROM logs ON CONFLICT DO NOTHING`,
    );
  } finally {
    client.release();
  }
}

/** Parallel COPY streams when a cluster copies a single node's dataset (one per id range). */
const COPY_STREAMS = 2;

/**
 * Drops the secondary indexes of `logs` (rebuilt once after a bulk load: much faster than
 * maintaining them row by row) and returns the statements that recreate them.
 */
async function dropLogsIndexes(pool: pg.Pool): Promise<string[]> {
  const { rows: indexes } = await pool.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'logs' AND schemaname = current_schema() AND indexname <> 'logs_pkey'`,
  );
  for (const ix of indexes) await pool.query(`DROP INDEX ${ix.indexname}`);
  return indexes.map((ix) => ix.indexdef);
}

/** Streams `SELECT columns FROM table WHERE where` of `sourceUrl` into the same table of `target` (COPY out, COPY in). */
async function copyTable(sourceUrl: string, target: pg.PoolClient, table: string, where = 'true'): Promise<void> {
  const source = new pg.Client({ connectionString: sourceUrl });
  await source.connect();
  try {
    const { rows } = await source.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [table],
    );
    const columns = rows.map((r) => source.escapeIdentifier(r.name)).join(', ');
    // Binary: no text formatting or parsing of timestamps and floats on either side.
    await pipeline(
      source.query(copyTo(`COPY (SELECT ${columns} FROM ${table} WHERE ${where}) TO STDOUT WITH (FORMAT binary)`)),
      target.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN WITH (FORMAT binary)`)),
    );
  } finally {
    await source.end();
  }
}

/**
 * Fills a fresh (Citus) database with the records of the single-node dataset at `sourceUrl`:
 * `logs` in COPY_STREAMS id ranges side by side (Citus routes every row to its shard as it
 * arrives), then the batch digests and the route registry. The rollups are built afterwards from
 * the copied rows by the same SQL as a generated dataset's.
 */
async function copyDataset(sourceUrl: string, pool: pg.Pool, rows: number, log: (line: string) => void): Promise<void> {
  const indexes = await dropLogsIndexes(pool);
  const source = new pg.Client({ connectionString: sourceUrl });
  await source.connect();
  const { rows: bounds } = await source.query<{ lo: string; hi: string }>('SELECT min(id)::text AS lo, max(id)::text AS hi FROM logs');
  await source.end();
  const lo = BigInt(bounds[0]!.lo);
  const hi = BigInt(bounds[0]!.hi);
  const step = (hi - lo) / BigInt(COPY_STREAMS) + 1n;
  log(`logs: copying ${rows.toLocaleString('en')} rows from the single-node dataset (${COPY_STREAMS} COPY streams)`);
  await Promise.all(
    Array.from({ length: COPY_STREAMS }, async (_, i) => {
      const client = await pool.connect();
      try {
        await client.query('SET synchronous_commit = off');
        const start = lo + step * BigInt(i);
        await copyTable(sourceUrl, client, 'logs', `id >= ${start} AND id < ${start + step}`);
      } finally {
        client.release();
      }
    }),
  );
  const client = await pool.connect();
  try {
    await client.query(`SET maintenance_work_mem = '1GB'`);
    // The copied ids came from the source's sequence: later inserts must not reuse them.
    await client.query(`SELECT setval(pg_get_serial_sequence('logs', 'id'), $1)`, [hi.toString()]);
    for (const indexdef of indexes) {
      log(`index: ${indexdef}`);
      await client.query(indexdef);
    }
    log('ingest_batches, service_routes');
    await copyTable(sourceUrl, client, 'ingest_batches');
    await copyTable(sourceUrl, client, 'service_routes');
  } finally {
    client.release();
  }
}

/**
 * The ingest-written rollups of everything in `logs`, in one INSERT … SELECT per level, with the histogram key
 * computed as histogram.ts computes it (ceil(ln(latency / MIN_MS) / ln γ), capped). Rows are the
 * ones the ingest's rollupBatch + upsert would leave; verifyRollups checks that on a sample.
 */
export function rollupFromLogsSql(table: 'rollup_minute' | 'rollup_hour', where = 'true'): string {
  const width = table === 'rollup_minute' ? '1 minute' : '1 hour';
  return `INSERT INTO ${table} (bucket, service, method, route, status, count, latency_sum, latency_max, hist_keys, hist_counts)
SELECT bucket, service, method, route, status, sum(n)::int, sum(s), max(mx), array_agg(k ORDER BY k), array_agg(n ORDER BY k)
FROM (
  SELECT date_bin('${width}', timestamp, timestamptz '1970-01-01 00:00:00+00') AS bucket, service, method, route, status,
    CASE WHEN latency_ms > ${MIN_MS} THEN least(${MAX_KEY}, ceil(ln(latency_ms / ${MIN_MS}) / ln(${GAMMA}::float8)))::smallint ELSE 0::smallint END AS k,
    count(*)::int AS n, sum(latency_ms) AS s, max(latency_ms) AS mx
  FROM logs WHERE ${where}
  GROUP BY 1, 2, 3, 4, 5, 6
) AS per_key
GROUP BY 1, 2, 3, 4, 5`;
}

async function buildRollups(pool: pg.Pool, log: (line: string) => void): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SET synchronous_commit = off; SET work_mem = '512MB'`);
    for (const table of ['rollup_minute', 'rollup_hour'] as const) {
      log(table);
      await client.query(`TRUNCATE ${table}`);
      await client.query(rollupFromLogsSql(table));
    }
    // The derived levels with the statements the gateway's migrations and compaction use.
    log(DERIVED_BUILD_ORDER.map((l) => l.table).join(', '));
    await client.query(`TRUNCATE ${DERIVED_BUILD_ORDER.map((l) => l.table).join(', ')}`);
    for (const sql of buildDerivedLevelsSql()) await client.query(sql);
    await client.query('TRUNCATE rollup_dirty');
  } finally {
    client.release();
  }
}

interface RollupRow {
  bucket: Date;
  service: string;
  method: string;
  route: string;
  status: number;
  count: number;
  latency_sum: number;
  latency_max: number;
  hist_keys: number[];
  hist_counts: number[];
}

/**
 * Recomputes the rollups of a sample (a 15-minute bucket and one whole hour in the middle of the
 * data) with the ingest's own rollupBatch and compares them with what the SQL built, the
 * endpoint levels included (the ingest's rows merged per endpoint): keys, counts, 4xx/5xx, max
 * and histograms exactly, latency sums to 1e-9 (float addition order differs).
 */
export async function verifyRollups(pool: pg.Pool, from: Date, to: Date): Promise<{ compared: number; mismatches: number }> {
  const mid = Math.floor((from.getTime() + to.getTime()) / 2 / 3_600_000) * 3_600_000;
  let compared = 0;
  let mismatches = 0;
  const check = (expected: RollupRow[], actual: RollupRow[]) => {
    const byKey = new Map(actual.map((r) => [rowKey(r), r]));
    for (const want of expected) {
      compared++;
      const got = byKey.get(rowKey(want));
      byKey.delete(rowKey(want));
      if (!got || !sameRow(want, got)) mismatches++;
    }
    mismatches += byKey.size;
  };
  // A whole 15-minute bucket of minute rollups, and one whole hour.
  for (const [table, start, width, levels] of [
    ['rollup_minute', mid + 15 * 60_000, 15 * 60_000, ['rollup_endpoint_5m', 'rollup_endpoint_15m']],
    ['rollup_hour', mid, 3_600_000, ['rollup_endpoint_hour']],
  ] as const) {
    const lo = new Date(start);
    const hi = new Date(start + width);
    const { rows: logs } = await pool.query<{
      timestamp: Date;
      service: string;
      method: string;
      route: string;
      status: number;
      latency_ms: number;
    }>(
      'SELECT timestamp, service, method, route, status, latency_ms FROM logs WHERE timestamp >= $1 AND timestamp < $2 ORDER BY timestamp, id',
      [lo, hi],
    );
    const expected = toRows(
      rollupBatch(
        logs.map((l) => ({ ...l, latencyMs: l.latency_ms })),
        table === 'rollup_minute' ? 60_000 : 3_600_000,
      ),
    );
    const { rows: actual } = await pool.query<RollupRow>(
      `SELECT bucket, service, method, route, status, count, latency_sum, latency_max, hist_keys, hist_counts FROM ${table}
       WHERE bucket >= $1 AND bucket < $2`,
      [lo, hi],
    );
    check(expected, actual);
    // The endpoint levels: the ingest's rows merged per endpoint and bucket (status 0 stands for "all").
    for (const level of levels) {
      const seconds = BUILD_ORDER.find((l) => l.table === level)!.seconds;
      const { rows } = await pool.query<RollupRow & { errors_4xx: number; errors_5xx: number }>(
        `SELECT bucket, service, method, route, 0 AS status, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts
         FROM ${level} WHERE bucket >= $1 AND bucket < $2`,
        [lo, hi],
      );
      const errors = new Map(rows.map((r) => [rowKey(r), `${r.errors_4xx}/${r.errors_5xx}`]));
      const merged = mergePerEndpoint(expected, seconds * 1000);
      check(merged.rows, rows);
      for (const [key, want] of merged.errors) if (errors.get(key) !== want) mismatches++;
    }
  }
  return { compared, mismatches };
}

/** Status-keyed rows summed per (bucket of `step` ms, endpoint), with their 4xx/5xx counts. */
function mergePerEndpoint(rows: RollupRow[], step: number): { rows: RollupRow[]; errors: Map<string, string> } {
  const groups = new Map<string, { row: RollupRow; e4: number; e5: number; hist: Map<number, number> }>();
  for (const r of rows) {
    const bucket = new Date(Math.floor(r.bucket.getTime() / step) * step);
    const key = rowKey({ ...r, bucket, status: 0 });
    let g = groups.get(key);
    if (!g) {
      g = { row: { ...r, bucket, status: 0, count: 0, latency_sum: 0, latency_max: 0 }, e4: 0, e5: 0, hist: new Map() };
      groups.set(key, g);
    }
    g.row.count += r.count;
    g.row.latency_sum += r.latency_sum;
    g.row.latency_max = Math.max(g.row.latency_max, r.latency_max);
    if (r.status >= 400 && r.status < 500) g.e4 += r.count;
    if (r.status >= 500) g.e5 += r.count;
    r.hist_keys.forEach((k, i) => g.hist.set(k, (g.hist.get(k) ?? 0) + r.hist_counts[i]!));
  }
  const out: RollupRow[] = [];
  const errors = new Map<string, string>();
  for (const [key, g] of groups) {
    const keys = [...g.hist.keys()].sort((a, b) => a - b);
    out.push({ ...g.row, hist_keys: keys, hist_counts: keys.map((k) => g.hist.get(k)!) });
    errors.set(key, `${g.e4}/${g.e5}`);
  }
  return { rows: out, errors };
}

function toRows(r: RollupRows): RollupRow[] {
  return r.bucket.map((bucket, i) => ({
    bucket,
    service: r.service[i]!,
    method: r.method[i]!,
    route: r.route[i]!,
    status: r.status[i]!,
    count: r.count[i]!,
    latency_sum: r.latencySum[i]!,
    latency_max: r.latencyMax[i]!,
    hist_keys: JSON.parse(`[${r.histKeys[i]!.slice(1, -1)}]`) as number[],
    hist_counts: JSON.parse(`[${r.histCounts[i]!.slice(1, -1)}]`) as number[],
  }));
}

const rowKey = (r: RollupRow) => `${r.bucket.getTime()}|${r.service}|${r.method}|${r.route}|${r.status}`;

function sameRow(a: RollupRow, b: RollupRow): boolean {
  return (
    a.count === b.count &&
    a.latency_max === b.latency_max &&
    Math.abs(a.latency_sum - b.latency_sum) <= 1e-9 * Math.max(1, Math.abs(a.latency_sum)) &&
    a.hist_keys.join() === b.hist_keys.join() &&
    a.hist_counts.join() === b.hist_counts.join()
  );
}

/** Re-exported for the seed test: the key the SQL must agree with. */
export { bucketKey };
