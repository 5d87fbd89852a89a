// logpulse on a real Citus cluster (coordinator + 2 workers, started by deploy/citus/local-cluster.sh):
// the unchanged gateway distributes its tables on a fresh cluster and on an upgrade (a populated
// cluster across every migration included), ingests exactly once (kill -9 mid-stream and records
// sent again included), and answers every analysis, sampled top lists included, exactly as a
// single PostgreSQL holding the same records does; live subscriptions, retention, compaction and
// alerting work across shards.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/storage/migrate.ts';
import { sweepRetention } from '../../src/storage/retention.ts';
import { compactRollups } from '../../src/storage/rollup-compaction.ts';
import { CITUS_LAYOUT } from '../../src/storage/citus.ts';
import { sampleSql } from '../../src/storage/raw-top.ts';
import { generateDataset, toWire } from '../analytics/dataset.ts';
import type { TestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, subscribe, waitLive, wsClient, type LogStreamData } from '../live/support.ts';
import {
  report,
  roundRobinProxy,
  shipperWorkspace,
  startGatewayProcess,
  storedCounts,
  waitFor,
  writeLogStream,
} from '../hardening/support.ts';
import { ANALYZE, CHAT } from '../ai/scenario.ts';
import { analysisQuery, expectSameAnswer } from './answers.ts';
import { startWebhookReceiver } from '../alerts/receivers.ts';
import { citusUnavailable, sqlAt, startCitusCluster, type CitusCluster } from './clusters.ts';

const unavailable = citusUnavailable();
if (unavailable) console.warn(`[skipped] Citus tests: ${unavailable}`);

const DAY = 86_400_000;
const MIGRATIONS = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));
// Analyses over ranges and all their fields; absolute ranges, so both gateways see the same window.
// The retention test ingests records older than the default RETENTION_DAYS (which ingest would
// dead-letter) and then sweeps them with its own policy.
const LIMITS = {
  GRAPHQL_MAX_TOKENS: '100000',
  GRAPHQL_MAX_COST: '10000000',
  GRAPHQL_MAX_DEPTH: '20',
  GRAPHQL_MAX_ALIASES: '100',
  RETENTION_DAYS: '36500',
  ROLLUP_RETENTION_DAYS: '36500',
};

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((e) => console.warn('cleanup failed', e));
});

describe.skipIf(unavailable)('logpulse on a Citus cluster', () => {
  let cluster: CitusCluster;
  let citus: TestGateway;
  let single: TestGateway;
  let citusPool: pg.Pool;
  let singlePool: pg.Pool;
  const data = generateDataset({ seed: 20261205, count: 3000, now: Date.now() });
  const range = { from: data.range.from.toISOString(), to: data.range.to.toISOString() };

  beforeAll(async () => {
    cluster = await startCitusCluster();
    cleanups.push(() => cluster.stop());
    const clusterStorage: TestStorage = {
      mode: 'postgres',
      databaseUrl: cluster.url,
      dataDir: await mkdtemp(join(tmpdir(), 'logpulse-citus-gw-')),
      drop: () => rm(clusterStorage.dataDir, { recursive: true, force: true }),
    };
    citus = await startTestGateway('postgres', { storage: clusterStorage, keepStorage: true, env: LIMITS });
    cleanups.push(() => citus.close().then(() => clusterStorage.drop()));
    single = await startTestGateway('postgres', { env: LIMITS });
    cleanups.push(() => single.close());
    citusPool = new pg.Pool({ connectionString: cluster.url, max: 2 });
    singlePool = new pg.Pool({ connectionString: single.storage.databaseUrl, max: 2 });
    // An idle connection cut off when its database goes away at the end is not a failure.
    for (const pool of [citusPool, singlePool]) pool.on('error', () => undefined);
    cleanups.push(
      () => citusPool.end(),
      () => singlePool.end(),
    );
  });

  it('migrations on a fresh cluster distribute every table of the layout', async () => {
    const rows = await sqlAt<{ table: string; method: string; column: string | null }>(
      cluster.url,
      `SELECT logicalrelid::text AS table, partmethod::text AS method, column_to_column_name(logicalrelid, partkey) AS column
       FROM pg_dist_partition ORDER BY 1`,
    );
    const expected = CITUS_LAYOUT.map((t) =>
      t.reference ? { table: t.table, method: 'n', column: null } : { table: t.table, method: 'h', column: t.by },
    ).sort((a, b) => a.table.localeCompare(b.table));
    expect(rows).toEqual(expected);
    // Shards really live on both workers.
    const placements = await sqlAt<{ port: number; shards: number }>(
      cluster.url,
      `SELECT nodeport AS port, count(*)::int AS shards FROM citus_shards WHERE table_name = 'logs'::regclass GROUP BY 1 ORDER BY 1`,
    );
    expect(placements.map((p) => p.port)).toEqual(cluster.ports.slice(1).sort((a, b) => a - b));
    expect(placements.every((p) => p.shards > 0)).toBe(true);
  });

  it('ingests every format exactly once, as a single node does', async () => {
    const wire = toWire(data.records);
    const third = Math.ceil(wire.length / 3);
    const bodies: [Buffer | string, Record<string, string>][] = [
      [gzipSync(jsonLines(wire.slice(0, third))), { 'content-encoding': 'gzip' }],
      [JSON.stringify(wire.slice(third, 2 * third)), { 'content-type': 'application/json' }],
      [
        wire
          .slice(2 * third)
          .map((r) => JSON.stringify(r))
          .join(''),
        { 'content-type': 'application/json' },
      ],
    ];
    for (const gw of [citus, single]) {
      for (const [body, headers] of bodies) {
        const first = await gw.ingest(body, headers);
        expect(first.status).toBe(200);
        expect(await first.json()).toMatchObject({ rejected: 0, duplicate: false });
        // A retry of the same body (a lost answer) stores nothing.
        expect(await (await gw.ingest(body, headers)).json()).toMatchObject({ rejected: 0, duplicate: true });
      }
    }
    const counts = async (pool: pg.Pool) =>
      (
        await pool.query(
          `SELECT (SELECT count(*) FROM logs)::int AS logs, (SELECT sum(count) FROM rollup_minute)::int AS minute,
                  (SELECT sum(count) FROM rollup_hour)::int AS hour, (SELECT count(*) FROM ingest_batches)::int AS batches,
                  (SELECT sum(duplicates) FROM ingest_batches)::int AS duplicates`,
        )
      ).rows[0];
    const onCluster = await counts(citusPool);
    expect(onCluster).toEqual({
      logs: data.records.length,
      minute: data.records.length,
      hour: data.records.length,
      batches: 3,
      duplicates: 3,
    });
    expect(onCluster).toEqual(await counts(singlePool));
  });

  const analyses: [string, string][] = [
    ['traffic', ''],
    ['traffic', 'bucket: "1h", service: "users"'],
    ['endpointUsage', 'limit: 1000'],
    ['endpointUsage', 'sort: P95, limit: 5'],
    ['endpointUsage', 'service: "users", sort: ERRORS'],
    ['endpoints', ''],
    ['services', ''],
    ['errorDistribution', ''],
    ['errorDistribution', 'method: "DELETE"'],
    ['slowEndpoints', 'limit: 10, minRequests: 5'],
    ['statusEndpointTop', 'limit: 5'],
    ['endpointDetail', 'route: "/api/users/:id", method: "GET", service: "users", bucket: "1h", limit: 5'],
    ['errorHeatmap', 'tz: "Europe/Berlin", limit: 20'],
    ['patterns', 'tz: "America/New_York", limit: 10'],
    ['anomalies', ''],
    ['bottlenecks', ''],
    ['recommendations', ''],
  ];

  it.each(analyses)('%s(%s) answers exactly as on a single node', async (field, args) => {
    const query = analysisQuery(field, args);
    const [onCluster, onSingle] = await Promise.all([citus.graphql(query, { range }), single.graphql(query, { range })]);
    expect(onSingle.errors, JSON.stringify(onSingle.errors)).toBeUndefined();
    expect(onCluster.errors, JSON.stringify(onCluster.errors)).toBeUndefined();
    expectSameAnswer(onCluster.data, onSingle.data);
  });

  it('sampled top lists (more records than ANALYTICS_RAW_SAMPLE_ROWS) read the same sample as a single node', async () => {
    // Gateways on the same two databases whose bound (100 records) the test ranges exceed: the
    // lists are counted over the spread sample (on Citus each shard reads every slice for its own
    // services and the coordinator keeps each slice's newest records: the same sample).
    const env = { ...LIMITS, ANALYTICS_RAW_SAMPLE_ROWS: '100' };
    const [c, s] = await Promise.all([
      startTestGateway('postgres', { storage: citus.storage, keepStorage: true, env }),
      startTestGateway('postgres', { storage: single.storage, keepStorage: true, env }),
    ]);
    cleanups.push(
      () => c.close(),
      () => s.close(),
    );
    for (const [field, args, sample] of [
      ['patterns', 'tz: "America/New_York", limit: 10', 'topSample'],
      ['patterns', 'service: "checkout", limit: 5', 'topSample'],
      ['endpointDetail', 'route: "/api/users/:id", method: "GET", service: "users", bucket: "1h", limit: 5', 'topClientsSample'],
    ] as const) {
      const query = analysisQuery(field, args);
      const [onCluster, onSingle] = await Promise.all([c.graphql(query, { range }), s.graphql(query, { range })]);
      expect(onSingle.errors, JSON.stringify(onSingle.errors)).toBeUndefined();
      expect(onCluster.errors, JSON.stringify(onCluster.errors)).toBeUndefined();
      const counted = (onCluster.data as Record<string, Record<string, { sampled: boolean; exact: boolean; rows: number; of: number }>>)[
        field
      ]![sample]!;
      expect(counted, `${field}(${args})`).toMatchObject({ sampled: true, exact: false });
      expect(counted.rows).toBeLessThanOrEqual(100);
      expect(counted.of).toBeGreaterThan(100);
      expectSameAnswer(onCluster.data, onSingle.data);
    }
  });

  it('a sampled top list reads all its slices in one query that every shard runs for its own services', async () => {
    // 60 one-minute slices: one multi-shard query, not one per slice (each a Task per shard).
    const to = Date.parse(range.to);
    const slices = Array.from({ length: 60 }, (_, i) => ({
      from: new Date(to - (60 - i) * 60_000),
      to: new Date(to - (59 - i) * 60_000),
      limit: 5,
    }));
    const params: unknown[] = [];
    const source = sampleSql({ from: slices[0]!.from, to: new Date(to) }, {}, slices, params, true);
    const plan = await sqlAt<{ 'QUERY PLAN': string }>(cluster.url, `EXPLAIN (COSTS OFF) ${source}`, params);
    const tasks = plan.flatMap((r) => /Task Count: (\d+)/.exec(r['QUERY PLAN'])?.[1] ?? []).map(Number);
    // The test cluster has 8 shards per table (clusters.ts); the rest runs on the coordinator.
    expect(tasks.filter((n) => n > 1)).toEqual([8]);
  });

  it('recentLogs reads the (timestamp, id) index on every shard', async () => {
    const index = await sqlAt<{ def: string }>(
      cluster.url,
      `SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'logs_timestamp_id_idx'`,
    );
    expect(index).toEqual([{ def: 'CREATE INDEX logs_timestamp_id_idx ON public.logs USING btree ("timestamp", id)' }]);
    // The newest page: each shard walks its index backwards and stops at the LIMIT; the
    // coordinator merges the shards' pages.
    const plan = await sqlAt<{ 'QUERY PLAN': string }>(
      cluster.url,
      `EXPLAIN (COSTS OFF) SELECT id FROM logs ORDER BY timestamp DESC, id DESC LIMIT 51`,
    );
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index (Only )?Scan Backward using logs_timestamp_id_idx_\d+/);
    expect(text).not.toMatch(/Seq Scan|Sort Key: logs\."timestamp"/);
  });

  it('recentLogs pages and filters exactly as on a single node', async () => {
    type Page = { recentLogs: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const page = (after: string | null, filter: object) =>
      `{ recentLogs(first: 200, ${after ? `after: "${after}", ` : ''}filter: ${JSON.stringify(filter).replace(/"(\w+)":/g, '$1:')}) {
         pageInfo { hasNextPage endCursor }
         edges { cursor node { id timestamp service method path route status latencyMs userAgent ipAddress } } } }`;
    for (const filter of [
      {},
      { service: 'users', statusClass: 5 },
      { pathContains: 'products', minLatencyMs: 50 },
      { from: range.from, to: range.to },
    ]) {
      let after: string | null = null;
      let pages = 0;
      do {
        const [a, b]: [{ data?: Page; errors?: unknown }, { data?: Page; errors?: unknown }] = await Promise.all([
          citus.graphql<Page>(page(after, filter)),
          single.graphql<Page>(page(after, filter)),
        ]);
        expect(b.errors, JSON.stringify(b.errors)).toBeUndefined();
        expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
        expectSameAnswer(a.data, b.data);
        after = b.data!.recentLogs.pageInfo.hasNextPage ? b.data!.recentLogs.pageInfo.endCursor : null;
        pages++;
      } while (after && pages < 4);
    }
  });

  it('live subscriptions get every record a batch stored on the cluster', async () => {
    const live = wsClient(citus.url);
    cleanups.push(async () => live.dispose());
    const stream = subscribe<LogStreamData>(live, LOG_STREAM, { filter: { service: 'citus-live' } });
    await waitLive(stream);
    const records = Array.from({ length: 30 }, (_, i) => record({ service: 'citus-live', path: `/live/${i}`, status: i % 5 ? 200 : 503 }));
    expect((await citus.ingest(jsonLines(records))).status).toBe(200);
    await waitFor('the live records', () => logsOf(stream).length >= records.length);
    expect(logsOf(stream).map((l) => l.path)).toEqual(records.map((r) => r.path));
    await single.ingest(jsonLines(records)); // keeps the two databases holding the same records
  });

  it('AI analyses and chat (offline analyst) read the shards and store their history on the coordinator', async () => {
    const analysis = await citus.graphql<{ analyzeRecentLogs: { provider: string; summary: string } }>(ANALYZE, { windowMinutes: 5 });
    expect(analysis.errors, JSON.stringify(analysis.errors)).toBeUndefined();
    expect(analysis.data!.analyzeRecentLogs.provider).toBe('offline');
    const reply = await citus.graphql<{ chat: { answer: string; provider: string } }>(CHAT, { message: 'Which endpoint is the slowest?' });
    expect(reply.errors, JSON.stringify(reply.errors)).toBeUndefined();
    expect(reply.data!.chat.answer.length).toBeGreaterThan(0);
    const history = await citus.graphql<{ aiInsights: { edges: unknown[] } }>('{ aiInsights(first: 5) { edges { cursor } } }');
    expect(history.errors).toBeUndefined();
    expect(history.data!.aiInsights.edges).toHaveLength(1);
  });

  it('retention and compaction work across shards, as on a single node', async () => {
    // Old records in several services (so on several shards): 40 and 10 days back.
    const old = ['users', 'orders', 'products', 'citus-old'].flatMap((service, s) =>
      [40, 10].map((days, d) =>
        record({ service, path: `/old/${s}/${d}`, timestamp: new Date(Date.now() - days * DAY - s * 60_000).toISOString() }),
      ),
    );
    for (const gw of [citus, single]) expect((await gw.ingest(jsonLines(old))).status).toBe(200);

    const policy = { retentionDays: 30, rollupRetentionDays: 35, batchSize: 2 };
    const [onCluster, onSingle] = [await sweepRetention(citusPool, policy), await sweepRetention(singlePool, policy)];
    expect(onCluster).toEqual(onSingle);
    expect(onCluster.logs).toBe(4);
    expect(onCluster.rollups).toBeGreaterThan(0);

    // Compaction rebuilds every marked bucket's endpoint rollups on each shard.
    const later = Date.now() + DAY;
    expect(await compactRollups(citusPool, later)).toBe(await compactRollups(singlePool, later));
    const endpointRollups = (pool: pg.Pool) =>
      Promise.all(
        ['rollup_endpoint_5m', 'rollup_endpoint_15m', 'rollup_endpoint_hour', 'rollup_minute', 'rollup_hour'].map(
          async (table) =>
            (
              await pool.query(
                `SELECT bucket, service COLLATE "C", method COLLATE "C", route COLLATE "C", count, latency_max, hist_keys, hist_counts
                 FROM ${table} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`,
              )
            ).rows,
        ),
      );
    const [a, b] = await Promise.all([endpointRollups(citusPool), endpointRollups(singlePool)]);
    expectSameAnswer(a, b);
    // The all-traffic levels (reference tables) are built from the shards' per-service rows.
    const allRollups = (pool: pg.Pool) =>
      Promise.all(
        ['rollup_all_5m', 'rollup_all_15m', 'rollup_all_hour'].map(
          async (table) =>
            (
              await pool.query(
                `SELECT bucket, count, errors_4xx, errors_5xx, latency_max, hist_keys, hist_counts, p50_key, p95_key, p99_key, p95_lower_key
                 FROM ${table} ORDER BY 1`,
              )
            ).rows,
        ),
      );
    const [allA, allB] = await Promise.all([allRollups(citusPool), allRollups(singlePool)]);
    expect(allB.every((rows) => rows.length > 0)).toBe(true);
    expectSameAnswer(allA, allB);
    expect((await citusPool.query('SELECT count(*)::int AS n FROM rollup_dirty')).rows[0].n).toBe(0);
    // The analyses read the compacted levels now: still the same answers.
    for (const [field, args] of analyses.slice(0, 8)) {
      const query = analysisQuery(field, args);
      const [x, y] = await Promise.all([citus.graphql(query, { range }), single.graphql(query, { range })]);
      expect(x.errors, JSON.stringify(x.errors)).toBeUndefined();
      expectSameAnswer(x.data, y.data);
    }
  });

  it('stores every record exactly once through kill -9 of the gateway, with the dev shipper retrying', async () => {
    const env = { DATABASE_URL: cluster.url, DATA_DIR: citus.storage.dataDir };
    let gateway = await startGatewayProcess(env);
    cleanups.push(() => gateway.stop());
    const proxy = await roundRobinProxy([gateway.url]);
    cleanups.push(() => proxy.close());
    const ws = await shipperWorkspace();
    cleanups.push(() => ws.cleanup());
    const run = `citus-kill-${randomBytes(4).toString('hex')}`;
    const total = 4_000;
    const shipper = ws.start({ url: `${proxy.url}/log/ingest?service=citus-crash` });
    const writing = writeLogStream(ws.file, run, total, { perAppend: 40, pauseMs: 30 });

    await waitFor('a quarter stored', async () => (await storedCounts(cluster.url, run)).stored >= total / 4, 60_000);
    // The worst window: a batch committed on the cluster whose 200 never reaches the shipper.
    await proxy.swallowNextSuccess();
    await gateway.kill9();
    gateway = await startGatewayProcess({ ...env, PORT: String(gateway.port) });
    await writing;
    const bytes = (await stat(ws.file)).size;
    await waitFor(
      'the shipper to deliver the whole file',
      () => !shipper.stats().inflight && shipper.stats().position?.offset === bytes,
      90_000,
    );

    const counts = await storedCounts(cluster.url, run);
    report('kill -9 on Citus', {
      sent: total,
      stored: counts.stored,
      duplicated: counts.stored - counts.distinct,
      retries: shipper.stats().retries,
    });
    expect(counts).toEqual({ stored: total, distinct: total });
    const perService = await sqlAt<{ logs: number; rollup: number }>(
      cluster.url,
      `SELECT (SELECT count(*) FROM logs WHERE service = 'citus-crash')::int AS logs,
              (SELECT coalesce(sum(count), 0) FROM rollup_minute WHERE service = 'citus-crash')::int AS rollup`,
    );
    expect(perService[0]).toEqual({ logs: total, rollup: total });
    // The batch whose answer was swallowed came back and was recognised by its digest.
    const resent = await sqlAt<{ n: number }>(
      cluster.url,
      `SELECT coalesce(sum(duplicates), 0)::int AS n FROM ingest_batches WHERE service = 'citus-crash'`,
    );
    expect(resent[0]!.n).toBeGreaterThanOrEqual(1);
    expect(shipper.stats().recordsDropped).toBe(0);
    await gateway.stop();
  }, 150_000);

  it('an upgrade distributes the tables a new migration adds, and backfills them from distributed data', async () => {
    const url = await cluster.createDatabase(`logpulse_upgrade_${randomBytes(3).toString('hex')}`);
    // An old release: the migrations before the endpoint rollups, applied and distributed; the
    // upgrade then adds tables (endpoint rollups, arrivals) and rewrites rows (histograms).
    const names = (await readdir(MIGRATIONS)).sort();
    const old = names.filter((name) => name < '20261126000000_endpoint_rollups');
    const previous = await mkdtemp(join(tmpdir(), 'logpulse-migrations-'));
    cleanups.push(() => rm(previous, { recursive: true, force: true }));
    for (const name of old) await cp(join(MIGRATIONS, name), join(previous, name), { recursive: true });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    expect(await applyMigrations(pool, previous)).toEqual(old);
    const distributed = async () =>
      (await pool.query<{ t: string }>('SELECT logicalrelid::text AS t FROM pg_dist_partition ORDER BY 1')).rows.map((r) => r.t);
    const before = await distributed();
    expect(before).toContain('logs');
    // Data written by the previous release.
    await pool.query(
      `INSERT INTO rollup_minute (bucket, service, method, route, status, count, latency_sum, latency_max, hist_keys, hist_counts)
       SELECT date_trunc('minute', now()) - make_interval(mins => g), 'svc-' || (g % 5), 'GET', '/api/x', 200 + (g % 2) * 300, 2, 10, 7, '{10,20}', '{1,1}'
       FROM generate_series(1, 40) g`,
    );
    await pool.query(
      `INSERT INTO rollup_hour (bucket, service, method, route, status, count, latency_sum, latency_max, hist_keys, hist_counts)
       SELECT date_trunc('hour', bucket), service, method, route, status, sum(count), sum(latency_sum), max(latency_max), '{10,20}',
              ARRAY[count(*)::int, count(*)::int]
       FROM rollup_minute GROUP BY 1, 2, 3, 4, 5`,
    );
    // A 300 s request the old histogram counted in its overflow key 182 (outside the range queried below).
    await pool.query(
      `INSERT INTO rollup_minute (bucket, service, method, route, status, count, latency_sum, latency_max, hist_keys, hist_counts)
       VALUES (date_trunc('minute', now()) - interval '3 hours', 'svc-slow', 'GET', '/slow', 200, 3, 300100, 300000, '{10,182}', '{1,2}')`,
    );

    await pool.query(
      `INSERT INTO ingest_batches (digest, service, accepted, rejected, bytes, duplicates, service_counts)
       SELECT 'old-' || g, 'svc-' || (g % 5), 2, 0, 100, g % 2, jsonb_build_object('svc-' || (g % 5), 2) FROM generate_series(1, 10) g`,
    );

    // The newer release migrates the cluster, up to the last migration (the line key and the
    // (timestamp, id) key included: the next test upgrades a cluster holding raw logs across them).
    const upTo = await mkdtemp(join(tmpdir(), 'logpulse-migrations-'));
    cleanups.push(() => rm(upTo, { recursive: true, force: true }));
    const newer = names;
    for (const name of newer) await cp(join(MIGRATIONS, name), join(upTo, name), { recursive: true });
    expect(await applyMigrations(pool, upTo)).toEqual(newer.filter((name) => !old.includes(name)));
    const after = await distributed();
    expect(after).toEqual(CITUS_LAYOUT.map((t) => t.table).sort());
    const backfilled = await pool.query<{ n: number }>(`SELECT sum(count)::int AS n FROM rollup_endpoint_5m WHERE route = '/api/x'`);
    expect(backfilled.rows[0]!.n).toBe(80);
    // The histogram migration re-keyed the slow request on its shard.
    const slow = await pool.query(`SELECT hist_keys, hist_counts FROM rollup_minute WHERE route = '/slow'`);
    expect(slow.rows).toEqual([{ hist_keys: [10, 182, 194], hist_counts: [1, 1, 1] }]);
    // One arrival per stored batch and per retry of it (5 of the 10 were retried once).
    const arrivals = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_arrivals');
    expect(arrivals.rows[0]!.n).toBe(15);
    // The backfilled rows moved to the shards; the coordinator keeps no copy.
    const local = await pool.query<{ bytes: number }>(`SELECT pg_relation_size('rollup_endpoint_5m')::int AS bytes`);
    expect(local.rows[0]!.bytes).toBe(0);
  });
  it('a cluster holding raw logs upgrades across the line-key and key migrations: data and analyses intact, new ingest exactly once', async () => {
    const names = (await readdir(MIGRATIONS, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const old = names.filter((name) => name < '20261205230000_log_line_key');
    expect(old.length).toBeLessThan(names.length - 1);
    const previous = await mkdtemp(join(tmpdir(), 'logpulse-migrations-'));
    cleanups.push(() => rm(previous, { recursive: true, force: true }));
    for (const name of old) await cp(join(MIGRATIONS, name), join(previous, name), { recursive: true });
    const url = await cluster.createDatabase(`logpulse_populated_${randomBytes(3).toString('hex')}`);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    // The previous release migrated and distributed its tables...
    expect(await applyMigrations(pool, previous)).toEqual(old);
    // ...and stored what the single node holds now (copied row by row: raw logs, every rollup
    // level, batches, routes), keeping ids and their sequence.
    // Tables that later migrations add (the per-service levels) are built by those migrations.
    const tables: string[] = [];
    for (const { table } of CITUS_LAYOUT) {
      if ((await pool.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [table])).rows[0].exists) tables.push(table);
    }
    for (const table of tables) {
      const { rows } = await singlePool.query<{ rows: unknown }>(`SELECT coalesce(json_agg(t), '[]') AS rows FROM ${table} t`);
      await pool.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1)`, [JSON.stringify(rows[0]!.rows)]);
    }
    await pool.query(`SELECT setval('logs_id_seq', (SELECT max(id) FROM logs))`);
    const counts = (p: pg.Pool) =>
      Promise.all(tables.map(async (table) => [table, (await p.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n] as const));
    const stored = await counts(singlePool);
    expect(Object.fromEntries(stored).logs).toBeGreaterThanOrEqual(data.records.length);
    expect(await counts(pool)).toEqual(stored);

    // The current gateway starts on it: it applies the rest (one at a time, sequentially on the shards).
    const storage: TestStorage = {
      mode: 'postgres',
      databaseUrl: url,
      dataDir: await mkdtemp(join(tmpdir(), 'logpulse-citus-gw-')),
      drop: () => rm(storage.dataDir, { recursive: true, force: true }),
    };
    const upgraded = await startTestGateway('postgres', { storage, keepStorage: true, env: LIMITS });
    cleanups.push(() => upgraded.close().then(() => storage.drop()));
    const applied = await pool.query<{ name: string }>(
      `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1`,
    );
    expect(applied.rows.map((r) => r.name)).toEqual(names);
    const indexes = await pool.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'logs' ORDER BY 1`,
    );
    expect(indexes.rows.map((r) => r.name)).toEqual([
      'logs_pkey',
      'logs_route_timestamp_idx',
      'logs_service_timestamp_line_key_key',
      'logs_timestamp_id_idx',
    ]);
    expect(indexes.rows[0]!.def).toContain('(service, "timestamp", id)');
    expect(await counts(pool)).toEqual(stored);

    // Every analysis and the newest page of recentLogs answer as the single node holding the same rows.
    for (const [field, args] of analyses) {
      const query = analysisQuery(field, args);
      const [x, y] = await Promise.all([upgraded.graphql(query, { range }), single.graphql(query, { range })]);
      expect(x.errors, JSON.stringify(x.errors)).toBeUndefined();
      expectSameAnswer(x.data, y.data);
    }
    const newest = '{ recentLogs(first: 100) { edges { node { id timestamp service path status latencyMs requestId } } } }';
    expectSameAnswer((await upgraded.graphql(newest)).data, (await single.graphql(newest)).data);

    // New ingest is exactly once: records stored before the upgrade are recognised by the line
    // key the migration built over them, and a retried body is a duplicate.
    const again = toWire(data.records.slice(0, 5));
    const fresh = Array.from({ length: 40 }, (_, i) => record({ service: ['users', 'orders'][i % 2], path: `/after-upgrade/${i}` }));
    const body = jsonLines([...again, ...fresh]);
    const [x, y] = [await upgraded.ingest(body), await single.ingest(body)];
    expect(x.status).toBe(200);
    const answer = await x.json();
    expect(answer).toMatchObject({ rejected: 0, duplicate: false, duplicates: 5 });
    expect(answer).toEqual(await y.json());
    expect(await (await upgraded.ingest(body)).json()).toMatchObject({ duplicate: true });
    expect(await (await single.ingest(body)).json()).toMatchObject({ duplicate: true });
    const after = await counts(pool);
    expect(Object.fromEntries(after).logs).toBe(Object.fromEntries(stored).logs + fresh.length);
    expect(after).toEqual(await counts(singlePool));
  });
  it('alert rules evaluate on the cluster: an incident fires and resolves', async () => {
    const url = await cluster.createDatabase(`logpulse_alerts_${randomBytes(3).toString('hex')}`);
    const storage: TestStorage = {
      mode: 'postgres',
      databaseUrl: url,
      dataDir: await mkdtemp(join(tmpdir(), 'logpulse-citus-gw-')),
      drop: () => rm(storage.dataDir, { recursive: true, force: true }),
    };
    const hook = await startWebhookReceiver('whsec-citus-0123456789abcdef');
    cleanups.push(() => hook.close());
    const gw = await startTestGateway('postgres', {
      storage,
      keepStorage: true,
      env: { ...LIMITS, ALERTS_TICK_MS: '100', ALERTS_LEASE_MS: '1000', ALERTS_RETRY_BASE_MS: '100', ALERTS_RETRY_MAX_MS: '300' },
    });
    cleanups.push(() => gw.close().then(() => storage.drop()));
    const channel = await gw.graphql<{ createAlertChannel: { id: string } }>(
      `mutation($url: String!) { createAlertChannel(input: {name: "hook", kind: WEBHOOK, target: $url, secret: "whsec-citus-0123456789abcdef"}) { id } }`,
      { url: hook.url },
    );
    expect(channel.errors).toBeUndefined();
    const rule = await gw.graphql<{ createAlertRule: { id: string } }>(
      `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`,
      {
        input: {
          name: 'citus 5xx',
          kind: 'SERVER_ERROR_RATE',
          threshold: 0.2,
          resolveThreshold: 0.1,
          service: 'citus-alert',
          windowSeconds: 120,
          forSeconds: 0,
          intervalSeconds: 1,
          minRequests: 10,
          channelIds: [channel.data!.createAlertChannel.id],
        },
      },
    );
    expect(rule.errors, JSON.stringify(rule.errors)).toBeUndefined();
    const incident = Array.from({ length: 50 }, (_, i) =>
      record({ service: 'citus-alert', path: `/api/pay/${i}`, status: i < 30 ? 503 : 200, request_id: `alert-${i}` }),
    );
    expect((await gw.ingest(jsonLines(incident))).status).toBe(200);
    await waitFor('the firing webhook', () => hook.accepted.some((r) => r.kind === 'firing'));
    expect(hook.accepted.find((r) => r.kind === 'firing')!.body).toMatchObject({
      value: 0.6,
      rule: { name: 'citus 5xx', service: 'citus-alert' },
    });
    const firing = await gw.graphql<{ alerts: { rule: { id: string } }[] }>(`{ alerts(state: [FIRING]) { rule { id } } }`);
    expect(firing.data!.alerts.map((a) => a.rule.id)).toEqual([rule.data!.createAlertRule.id]);
    const recovery = Array.from({ length: 450 }, (_, i) =>
      record({ service: 'citus-alert', path: `/api/pay/${i}`, status: 200, request_id: `alert-ok-${i}` }),
    );
    expect((await gw.ingest(jsonLines(recovery))).status).toBe(200);
    await waitFor('the resolved webhook', () => hook.accepted.some((r) => r.kind === 'resolved'));
  });
});
