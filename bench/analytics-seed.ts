import type pg from 'pg';
import { buildDerivedLevelsSql, DERIVED_BUILD_ORDER } from '@logpulse/gateway/storage/rollup-levels';
import { rollupBatch, rollupParams, rollupUpsertSql } from '@logpulse/gateway/storage/rollup-write';

/**
 * Fills a database with synthetic access logs quickly: raw rows straight from SQL
 * (INSERT … SELECT generate_series), then the minute and hour rollups built by the ingest's own
 * code (rollupBatch + rollupUpsertSql) from the rows read back in time order, so the rollups are
 * exactly what ingesting the same records would have produced.
 */

const ENDPOINTS: [service: string, method: string, route: string, medianMs: number, sigma: number, p4xx: number, p5xx: number][] = [
  ['checkout', 'GET', '/api/products', 30, 0.5, 0.01, 0.002],
  ['checkout', 'GET', '/api/products/:id', 18, 0.4, 0.04, 0.002],
  ['checkout', 'GET', '/api/cart/:id', 6, 0.3, 0.05, 0.001],
  ['checkout', 'POST', '/api/cart/:id/items', 25, 0.4, 0.06, 0.005],
  ['checkout', 'POST', '/api/checkout', 150, 0.4, 0.09, 0.04],
  ['checkout', 'GET', '/api/orders/:id', 40, 0.5, 0.03, 0.003],
  ['users', 'GET', '/api/users/:id', 12, 0.35, 0.2, 0.001],
  ['users', 'PUT', '/api/users/:id', 60, 0.3, 0.1, 0.005],
  ['users', 'DELETE', '/api/users/:id', 70, 0.6, 0.02, 0.05],
  ['users', 'POST', '/api/login', 90, 0.3, 0.15, 0.002],
  ['users', 'POST', '/api/logout', 8, 0.3, 0.01, 0.001],
  ['users', 'GET', '/api/users/:id/settings', 15, 0.3, 0.02, 0.002],
  ['search', 'GET', '/api/search', 400, 0.5, 0.04, 0.03],
  ['search', 'GET', '/api/suggest', 35, 0.4, 0.01, 0.005],
  ['search', 'GET', '/api/search/facets', 120, 0.5, 0.01, 0.01],
  ['media', 'GET', '/api/images/:hash', 20, 0.8, 0.02, 0.001],
  ['media', 'POST', '/api/images', 600, 0.5, 0.05, 0.02],
  ['media', 'GET', '/api/videos/:id/manifest', 45, 0.5, 0.01, 0.004],
  ['media', 'GET', '/healthz', 1, 0.2, 0, 0],
  ['media', 'GET', '/metrics', 3, 0.3, 0, 0],
];

const USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64)',
  'Mozilla/5.0 (iPhone)',
  'curl/8.5.0',
  'okhttp/4.12.0',
  'python-requests/2.32',
  'Go-http-client/1.1',
  'PostmanRuntime/7.39',
  'k6/0.52',
];

interface SeedRow {
  id: string;
  timestamp: Date;
  service: string;
  method: string;
  route: string;
  status: number;
  latency_ms: number;
}

const CHUNK = 200_000;
const ROLLUP_CHUNK = 50_000;

export interface SeedOptions {
  rows: number;
  from: Date;
  to: Date;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

/** The next ROLLUP_CHUNK bench rows in (timestamp, id) order after `after`. */
async function readChunk(pool: pg.Pool, after: { ts: Date; id: string } | null): Promise<SeedRow[]> {
  const { rows } = await pool.query<SeedRow>(
    `SELECT id::text, timestamp, service, method, route, status, latency_ms FROM logs
     WHERE batch_id = 'bench' ${after ? 'AND (timestamp, id) > ($2, $3::bigint)' : ''}
     ORDER BY timestamp, id LIMIT $1`,
    after ? [ROLLUP_CHUNK, after.ts, after.id] : [ROLLUP_CHUNK],
  );
  return rows;
}

/** Inserts `rows` synthetic logs spread uniformly over [from, to) and their rollups. */
export async function seedBenchLogs(pool: pg.Pool, options: SeedOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const spanSeconds = (options.to.getTime() - options.from.getTime()) / 1000;
  const e = ENDPOINTS;
  const values = e.map(
    (_, i) =>
      `(${i}, $${i * 7 + 1}::text, $${i * 7 + 2}::text, $${i * 7 + 3}::text, $${i * 7 + 4}::float8, $${i * 7 + 5}::float8, $${i * 7 + 6}::float8, $${i * 7 + 7}::float8)`,
  );
  const endpointParams = e.flat();
  const p = endpointParams.length;
  const insert = `
WITH ep(n, service, method, route, median, sigma, p4xx, p5xx) AS (VALUES ${values.join(', ')}),
g AS (
  SELECT i, floor(power(random(), 1.6) * ${e.length})::int AS n, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6
  FROM generate_series($${p + 1}::int, $${p + 2}::int) AS i
)
INSERT INTO logs (timestamp, service, method, path, route, status, latency_ms, user_agent, ip_address, batch_id)
SELECT date_trunc('milliseconds', $${p + 3}::timestamptz + g.r4 * $${p + 4}::float8 * interval '1 second'),
       ep.service, ep.method, replace(replace(ep.route, ':id', (g.i % 100000)::text), ':hash', md5(g.i::text)), ep.route,
       CASE WHEN g.r3 < ep.p5xx THEN (ARRAY[500, 502, 503])[1 + g.i % 3]
            WHEN g.r3 < ep.p5xx + ep.p4xx THEN (ARRAY[400, 401, 404, 404, 409, 429])[1 + g.i % 6]
            ELSE (CASE WHEN g.i % 9 = 0 THEN 304 ELSE 200 END) END,
       round((ep.median * exp(ep.sigma * sqrt(-2 * ln(1 - g.r1)) * cos(2 * pi() * g.r2)))::numeric, 3)::float8,
       ($${p + 5}::text[])[1 + floor(power(g.r5, 2) * ${USER_AGENTS.length})::int],
       '10.' || (g.i % 4) || '.' || floor(power(g.r6, 3) * 250)::int || '.' || (1 + g.i % 7),
       'bench'
FROM g JOIN ep USING (n)`;

  await pool.query('SELECT setseed(0.42)');
  for (let start = 1; start <= options.rows; start += CHUNK) {
    const end = Math.min(options.rows, start + CHUNK - 1);
    await pool.query(insert, [...endpointParams, start, end, options.from, spanSeconds, USER_AGENTS]);
    log(`logs: ${end.toLocaleString('en')} / ${options.rows.toLocaleString('en')}`);
  }

  // Time order keeps each chunk's rollup rows (nearly) disjoint from the others, like live ingest.
  let after: { ts: Date; id: string } | null = null;
  let done = 0;
  for (;;) {
    const rows = await readChunk(pool, after);
    if (rows.length === 0) break;
    const records = rows.map((r) => ({
      timestamp: r.timestamp,
      service: r.service,
      method: r.method,
      route: r.route,
      status: r.status,
      latencyMs: r.latency_ms,
    }));
    await pool.query(rollupUpsertSql('rollup_minute'), rollupParams(rollupBatch(records, 60_000)));
    await pool.query(rollupUpsertSql('rollup_hour'), rollupParams(rollupBatch(records, 3_600_000)));
    const last = rows[rows.length - 1]!;
    after = { ts: last.timestamp, id: last.id };
    done += rows.length;
    log(`rollups: ${done.toLocaleString('en')} / ${options.rows.toLocaleString('en')}`);
  }
  // The endpoint levels as the gateway's migration backfills them (ingest marks, compaction builds them live).
  await pool.query(`TRUNCATE ${[...DERIVED_BUILD_ORDER.map((l) => l.table), 'rollup_dirty'].join(', ')}`);
  for (const sql of buildDerivedLevelsSql()) await pool.query(sql);
  await pool.query('ANALYZE logs; ANALYZE rollup_minute; ANALYZE rollup_hour');
}
