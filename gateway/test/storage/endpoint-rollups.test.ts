import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_LEVELS,
  BUILD_ORDER,
  derivedRollupSql,
  latencySummarySql,
  ROLLUP_TABLES,
  SERVICE_LEVELS,
  SERVICE_STATUS_LEVELS,
} from '../../src/storage/rollup-levels.ts';
import { latencyOf, readRollups, type RollupDimension, type RollupQuery, type RollupRow } from '../../src/storage/rollup-read.ts';
import { openDatabase, type Database } from '../../src/storage/db.ts';
import { compactRollups } from '../../src/storage/rollup-compaction.ts';
import { rollupBatch, rollupParams, rollupUpsertSql } from '../../src/storage/rollup-write.ts';
import { applyMigrations } from '../../src/storage/migrate.ts';
import { createTestStorage, STORAGE_MODES, type TestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { expectLatency, groupBy, inRange, stats } from '../analytics/brute-force.ts';
import { keyValue, p95LowerLevel, quantile } from '../../src/storage/histogram.ts';
import { generateDataset, toWire, type GeneratedLog } from '../analytics/dataset.ts';

/**
 * The endpoint rollups (5 m, 15 m, 1 h, without the status) are derived from the ingest-written
 * minute and hour rollups. Whatever mix of levels a read uses, it must give exactly the answer
 * of the ingest-written tables alone (levels: 'ingest'): same groups, counts, 4xx/5xx, max and
 * histograms, latency sums to float rounding. That must hold before compaction (everything
 * marked dirty), after it, with late records landing in compacted buckets, and after the
 * migration's backfill of existing rollups.
 */

const MIGRATIONS = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));
const ENDPOINT_MIGRATION = '20261126000000_endpoint_rollups';
const SUMMARY_MIGRATION = '20261206040000_endpoint_latency_summary';
const SERVICE_MIGRATION = '20261206040100_service_rollups';
const ALL_MIGRATION = '20261206140000_all_traffic_rollups';
const STATUS_MIGRATION = '20261206140100_service_status_rollups';

type Query = Omit<RollupQuery<RollupDimension>, 'range' | 'levels'>;
const SERIES: RollupDimension[] = ['bucket', 'service', 'method', 'route'];
const QUERIES: [string, Query][] = [
  ['per endpoint × 5 m (anomalies)', { groupBy: SERIES, bucketSeconds: 300 }],
  ['per endpoint × 1 h (seasonal baselines)', { groupBy: SERIES, bucketSeconds: 3600 }],
  ['all traffic × 15 m (traffic chart)', { groupBy: ['bucket'], bucketSeconds: 900 }],
  ['all traffic × 5 m (overall anomaly series)', { groupBy: ['bucket'], bucketSeconds: 300 }],
  ['all traffic × 1 h (overall seasonal baseline)', { groupBy: ['bucket'], bucketSeconds: 3600 }],
  ['all traffic per weekday in UTC', { groupBy: ['weekday'] }],
  ['one service × 15 m', { groupBy: ['bucket'], bucketSeconds: 900, filter: { service: 'users' } }],
  ['one endpoint × 5 m', { groupBy: ['bucket'], bucketSeconds: 300, filter: { route: '/api/users/:id', method: 'delete' } }],
  ['per endpoint over the range', { groupBy: ['service', 'method', 'route'] }],
  ['per service, counts only', { groupBy: ['service'], histograms: false }],
  ['per hour of day in Kolkata (+5:30: 5 and 15 m levels, no hours)', { groupBy: ['hourOfDay', 'service'], tz: 'Asia/Kolkata' }],
  ['per local day in New York', { groupBy: ['bucket'], bucketSeconds: 86_400, tz: 'America/New_York' }],
  ['per status (ingest tables only)', { groupBy: ['status', 'route'] }],
  ['per status and service (status levels)', { groupBy: ['status', 'service'], histograms: false }],
  ['per status of one service × 1 h (status levels)', { groupBy: ['status', 'bucket'], bucketSeconds: 3600, filter: { service: 'users' } }],
  ['per status per hour of day in Kolkata (status levels: 5 m only)', { groupBy: ['status', 'hourOfDay'], tz: 'Asia/Kolkata' }],
  ['nothing (one total)', { groupBy: [] }],
];

/** The queries that need nothing finer than the service (no method, route or status) but the service. */
const SERVICE_GRAINED = new Set([
  'one service × 15 m',
  'per service, counts only',
  'per hour of day in Kolkata (+5:30: 5 and 15 m levels, no hours)',
]);

/** Status groupings needing nothing finer than the service: the per-service-and-status levels answer them. */
const STATUS_GRAINED = new Set([
  'per status and service (status levels)',
  'per status of one service × 1 h (status levels)',
  'per status per hour of day in Kolkata (status levels: 5 m only)',
]);

/** The queries over all traffic (no filter, grouped by time or not at all): the all-traffic levels answer them. */
const ALL_GRAINED = new Set([
  'all traffic × 15 m (traffic chart)',
  'all traffic × 5 m (overall anomaly series)',
  'all traffic × 1 h (overall seasonal baseline)',
  'all traffic per weekday in UTC',
  'per local day in New York',
  'nothing (one total)',
]);

const keyOf = (r: RollupRow<RollupDimension>) =>
  JSON.stringify([r.bucket?.getTime() ?? null, r.service, r.method, r.route, r.status, r.hourOfDay, r.weekday]);

/** Both reads, with the tables each used. */
async function readBoth(pool: pg.Pool, range: { from: Date; to: Date }, query: Query) {
  const tables = new Set<string>();
  const spy = {
    query: (text: string, values: unknown[]) => {
      for (const m of text.matchAll(/FROM (rollup_\w+)/g)) tables.add(m[1]!);
      return pool.query(text, values);
    },
  } as unknown as pg.Pool;
  const [levels, ingest] = await Promise.all([
    readRollups(spy, { ...query, range, levels: 'all' }),
    readRollups(pool, { ...query, range, levels: 'ingest' }),
  ]);
  return { levels, ingest, tables };
}

function expectSameAnswers(levels: RollupRow<RollupDimension>[], ingest: RollupRow<RollupDimension>[], where: string): void {
  const want = new Map(ingest.map((r) => [keyOf(r), r]));
  expect(levels.length, where).toBe(ingest.length);
  for (const got of levels) {
    const exp = want.get(keyOf(got));
    expect(exp, `${where} ${keyOf(got)}`).toBeDefined();
    const { latencySum, ...exact } = got;
    const { latencySum: expectedSum, ...expectedExact } = exp!;
    expect(exact, `${where} ${keyOf(got)}`).toEqual(expectedExact);
    expect(Math.abs(latencySum - expectedSum), `${where} latency sum`).toBeLessThanOrEqual(1e-9 * Math.max(1, expectedSum));
  }
}

/** The series whose points are stored rows: per endpoint (endpoint levels) and over all traffic (all-traffic levels). */
const SUMMARY_QUERIES = QUERIES.filter(([name]) => name.startsWith('per endpoint ×') || /^all traffic × /.test(name));

/**
 * A per-endpoint or all-traffic series read with `summaries`: every row is the ingest tables'
 * row, and a row that comes with a stored summary gives exactly the quantiles of the histogram it
 * replaces, and so the same latencyOf. Returns how many rows came summarised (each series must
 * have some).
 */
async function expectSummariesMatch(pool: pg.Pool, range: { from: Date; to: Date }, where: string): Promise<number> {
  let summarised = 0;
  for (const [name, query] of SUMMARY_QUERIES) {
    const before = summarised;
    const [got, ingest] = await Promise.all([
      readRollups(pool, { ...query, range, summaries: true }),
      readRollups(pool, { ...query, range, levels: 'ingest' }),
    ]);
    const want = new Map(ingest.map((r) => [keyOf(r), r]));
    expect(got.length, `${where}: ${name}`).toBe(ingest.length);
    for (const row of got) {
      const exp = want.get(keyOf(row))!;
      expect(exp, `${where}: ${name} ${keyOf(row)}`).toBeDefined();
      expect([row.count, row.errors4xx, row.errors5xx, row.latencyMax]).toEqual([exp.count, exp.errors4xx, exp.errors5xx, exp.latencyMax]);
      const s = row.summary;
      if (!s) {
        expect(row.histogram, `${where}: ${name} ${keyOf(row)}`).toEqual(exp.histogram);
        continue;
      }
      summarised++;
      expect(row.histogram.keys).toEqual([]);
      const max = exp.latencyMax;
      expect(
        [s.p50, s.p95, s.p99, s.p95Lower].map((k) => keyValue(k, max)),
        `${where}: ${name} ${keyOf(row)}`,
      ).toEqual([0.5, 0.95, 0.99, p95LowerLevel(exp.count)].map((q) => quantile(exp.histogram, q, max)));
      // avg is left out: the latency sums of two levels agree only to float rounding (expectSameAnswers).
      const { avg: _got, ...gotLatency } = latencyOf(row);
      const { avg: _want, ...wantLatency } = latencyOf(exp);
      expect(gotLatency, `${where}: ${name} ${keyOf(row)}`).toEqual(wantLatency);
    }
    expect(summarised - before, `${where}: ${name}: rows read with their summary`).toBeGreaterThan(0);
  }
  return summarised;
}

/** The per-endpoint 5-minute series straight from the records. */
function expectSeriesMatchesRecords(rows: RollupRow<RollupDimension>[], records: readonly GeneratedLog[], range: { from: Date; to: Date }) {
  const step = 300_000;
  const key = (b: number, l: { service: string; method: string; route: string }) => `${b} ${l.service} ${l.method} ${l.route}`;
  const expected = groupBy(inRange(records, range), (l) => key(Math.floor(l.timestamp.getTime() / step) * step, l));
  expect(rows.length).toBe(expected.size);
  for (const row of rows) {
    const logs = expected.get(key(row.bucket!.getTime(), row as { service: string; method: string; route: string }));
    expect(logs).toBeDefined();
    const s = stats(logs!);
    expect([row.count, row.errors4xx, row.errors5xx]).toEqual([s.count, s.clientErrors, s.serverErrors]);
    expectLatency(latencyOf(row), s.latency, keyOf(row));
  }
}

describe.each(STORAGE_MODES)('endpoint rollups on %s', (mode) => {
  const data = generateDataset({ seed: 20261126, count: 2500, now: Date.now() });
  // Minute-aligned but not 5-minute-aligned, so every level and the minute edges take part.
  const range = { from: new Date(data.range.from.getTime() + 3 * 60_000), to: data.range.to };
  let gw: TestGateway;
  let pool: pg.Pool;
  const records: GeneratedLog[] = [...data.records];

  beforeAll(async () => {
    gw = await startTestGateway(mode);
    pool = gw.app.database!.pool;
    for (let i = 0; i < data.records.length; i += 1000) {
      const res = await gw.ingest(jsonLines(toWire(data.records.slice(i, i + 1000))));
      expect(res.status).toBe(200);
    }
  });

  afterAll(async () => {
    await gw?.close();
  });

  const dirtyCount = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM rollup_dirty')).rows[0]!.n);

  it('ingest marks every 5-minute bucket it writes; until compaction, reads of them agree with the ingest tables', async () => {
    const marked = new Set(data.records.map((r) => Math.floor(r.timestamp.getTime() / 300_000) * 300_000));
    expect(await dirtyCount()).toBe(marked.size);
    for (const [name, query] of QUERIES) {
      const { levels, ingest } = await readBoth(pool, range, query);
      expectSameAnswers(levels, ingest, name);
    }
  });

  it('after compaction the reads use the endpoint levels and still give the same answers', async () => {
    expect(await compactRollups(pool)).toBeGreaterThan(0);
    expect(await dirtyCount()).toBe(0);
    const used = new Set<string>();
    for (const [name, query] of QUERIES) {
      const { levels, ingest, tables } = await readBoth(pool, range, query);
      expectSameAnswers(levels, ingest, name);
      for (const t of tables) used.add(t);
      const endpointLevels = [...tables].filter((t) => t.startsWith('rollup_endpoint_'));
      // Status groupings cannot use the endpoint levels; everything else, and status groupings by
      // nothing finer than the service (the per-service-and-status levels), no longer needs rollup_hour.
      if (name.startsWith('per status')) expect(endpointLevels, name).toEqual([]);
      if (!name.startsWith('per status') || STATUS_GRAINED.has(name)) expect(tables.has('rollup_hour'), name).toBe(false);
      const statusLevels = [...tables].filter((t) => t.startsWith('rollup_status_'));
      if (STATUS_GRAINED.has(name)) expect(statusLevels.length, name).toBeGreaterThan(0);
      else expect(statusLevels, name).toEqual([]);
      // Nothing finer than the service asked for: the per-service levels answer it; nothing but
      // time over all traffic: the all-traffic levels.
      const serviceLevels = [...tables].filter((t) => t.startsWith('rollup_service_'));
      if (SERVICE_GRAINED.has(name)) expect(serviceLevels.length, name).toBeGreaterThan(0);
      else expect(serviceLevels, name).toEqual([]);
      const allLevels = [...tables].filter((t) => t.startsWith('rollup_all_'));
      if (ALL_GRAINED.has(name)) expect(allLevels.length, name).toBeGreaterThan(0);
      else expect(allLevels, name).toEqual([]);
      if (name.startsWith('per endpoint × 5 m')) expectSeriesMatchesRecords(levels, records, range);
    }
    expect([...used]).toEqual(
      expect.arrayContaining([
        'rollup_endpoint_15m',
        'rollup_endpoint_5m',
        'rollup_endpoint_hour',
        'rollup_service_15m',
        'rollup_service_5m',
        'rollup_service_hour',
        'rollup_all_15m',
        'rollup_all_5m',
        'rollup_all_hour',
        'rollup_status_5m',
        'rollup_status_hour',
        'rollup_minute',
      ]),
    );
  });

  it('compaction stores a latency summary per endpoint-level row; series read it instead of the histogram, with the same quantiles', async () => {
    expect(await expectSummariesMatch(pool, range, 'compacted')).toBeGreaterThan(100);
    // Rows not summarised (stored before the summary existed) are read through their histogram.
    for (const table of ['rollup_endpoint_5m', 'rollup_all_5m', 'rollup_all_hour']) {
      await pool.query(`UPDATE ${table} SET p50_key = NULL, p95_key = NULL, p99_key = NULL, p95_lower_key = NULL WHERE count % 2 = 0`);
      const unsummarised = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE p95_key IS NULL`)).rows[0]!.n);
      expect(unsummarised, table).toBeGreaterThan(0);
    }
    await expectSummariesMatch(pool, range, 'half unsummarised');
    for (const level of [...BUILD_ORDER, ...ALL_LEVELS]) await pool.query(latencySummarySql(level));
  });

  it('late records landing in compacted buckets are read from the ingest tables until compaction rebuilds them', async () => {
    // Copies of some records, slower and failing, spread over the range.
    const late = data.records
      .filter((_, i) => i % 37 === 0)
      .map((r, i) => ({ ...r, seq: records.length + i, status: 503, latencyMs: r.latencyMs * 3 + 1 }));
    expect((await gw.ingest(jsonLines(toWire(late)))).status).toBe(200);
    records.push(...late);
    expect(await dirtyCount()).toBeGreaterThan(0);
    for (const [name, query] of QUERIES) {
      const { levels, ingest } = await readBoth(pool, range, query);
      expectSameAnswers(levels, ingest, `late, before compaction: ${name}`);
      if (name.startsWith('per endpoint × 5 m')) expectSeriesMatchesRecords(levels, records, range);
    }
    await compactRollups(pool);
    expect(await dirtyCount()).toBe(0);
    for (const [name, query] of QUERIES) {
      const { levels, ingest } = await readBoth(pool, range, query);
      expectSameAnswers(levels, ingest, `late, after compaction: ${name}`);
      if (name.startsWith('per endpoint × 5 m')) expectSeriesMatchesRecords(levels, records, range);
    }
  });

  it('leaves the buckets still settling (the last minute and the current 5 minutes) marked', async () => {
    const now = Date.now();
    const fresh = [{ timestamp: new Date(now - 5_000).toISOString(), path: '/fresh', method: 'GET', status: 200, latency_ms: 3 }];
    expect((await gw.ingest(jsonLines(fresh))).status).toBe(200);
    await compactRollups(pool, now);
    expect(await dirtyCount()).toBe(1);
    await compactRollups(pool, now + 7 * 60_000);
    expect(await dirtyCount()).toBe(0);
  });
});

describe.each(STORAGE_MODES)('endpoint rollup migration on %s', (mode) => {
  let storage: TestStorage;
  let db: Database;
  let before: string;

  beforeAll(async () => {
    storage = await createTestStorage(mode);
    if (mode === 'pglite') await rm(join(storage.dataDir, 'pglite'), { recursive: true, force: true });
    db = await openDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir });
    // The migrations before this one, as an existing installation has them.
    before = await mkdtemp(join(tmpdir(), 'logpulse-migrations-'));
    for (const name of await readdir(MIGRATIONS)) {
      if (name < ENDPOINT_MIGRATION) await cp(join(MIGRATIONS, name), join(before, name), { recursive: true });
    }
  });

  afterAll(async () => {
    await db?.close();
    await storage?.drop();
    if (before) await rm(before, { recursive: true, force: true });
  });

  it('backfills the endpoint levels from existing rollups; reads then agree with the ingest tables', async () => {
    await applyMigrations(db.pool, before);
    const data = generateDataset({ seed: 7, count: 2000, now: Date.now() });
    const rollable = data.records.map((r) => ({ ...r, route: r.route }));
    // Rollups exactly as ingest writes them (its own aggregation and upsert), in two batches.
    for (const part of [rollable.slice(0, 1200), rollable.slice(1200)]) {
      await db.pool.query(rollupUpsertSql('rollup_minute'), rollupParams(rollupBatch(part, 60_000)));
      await db.pool.query(rollupUpsertSql('rollup_hour'), rollupParams(rollupBatch(part, 3_600_000)));
    }
    expect(await applyMigrations(db.pool)).toContain(ENDPOINT_MIGRATION);
    const count = async (table: string) => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    for (const level of [...BUILD_ORDER, ...SERVICE_LEVELS, ...ALL_LEVELS, ...SERVICE_STATUS_LEVELS])
      expect(await count(level.table), level.table).toBeGreaterThan(0);
    expect(await count('rollup_dirty')).toBe(0);
    const range = { from: new Date(data.range.from.getTime() + 3 * 60_000), to: data.range.to };
    for (const [name, query] of QUERIES) {
      const { levels, ingest, tables } = await readBoth(db.pool, range, query);
      expectSameAnswers(levels, ingest, name);
      if (SERVICE_GRAINED.has(name))
        expect(
          [...tables].some((t) => t.startsWith('rollup_service_')),
          name,
        ).toBe(true);
      if (ALL_GRAINED.has(name))
        expect(
          [...tables].some((t) => t.startsWith('rollup_all_')),
          name,
        ).toBe(true);
      if (STATUS_GRAINED.has(name))
        expect(
          [...tables].some((t) => t.startsWith('rollup_status_')),
          name,
        ).toBe(true);
      if (name.startsWith('per endpoint × 5 m')) expectSeriesMatchesRecords(levels, data.records, range);
    }
    // The latency summary migration backfilled the rows the endpoint migration built.
    expect(await expectSummariesMatch(db.pool, range, 'after the migrations')).toBeGreaterThan(100);
  });

  it('every rollup table is scanned without parallel workers (migration 20261206140200_rollup_serial_scans)', async () => {
    const { rows } = await db.pool.query<{ name: string; options: string[] | null }>(
      'SELECT relname AS name, reloptions AS options FROM pg_class WHERE relname = ANY($1) AND relkind IN ($2, $3)',
      [ROLLUP_TABLES, 'r', 'p'],
    );
    expect(rows.map((r) => r.name).sort()).toEqual([...ROLLUP_TABLES].sort());
    for (const row of rows) expect(row.options ?? [], row.name).toContain('parallel_workers=0');
  });

  it('runs the statements compaction and bench/lib/seed.ts run', async () => {
    const sql = await readFile(join(MIGRATIONS, ENDPOINT_MIGRATION, 'migration.sql'), 'utf8');
    for (const level of BUILD_ORDER) expect(sql).toContain(`${derivedRollupSql(level)};`);
    const summary = await readFile(join(MIGRATIONS, SUMMARY_MIGRATION, 'migration.sql'), 'utf8');
    for (const level of BUILD_ORDER) expect(summary).toContain(`${latencySummarySql(level)};`);
    const service = await readFile(join(MIGRATIONS, SERVICE_MIGRATION, 'migration.sql'), 'utf8');
    for (const level of SERVICE_LEVELS) expect(service).toContain(`${derivedRollupSql(level)};`);
    const all = await readFile(join(MIGRATIONS, ALL_MIGRATION, 'migration.sql'), 'utf8');
    for (const level of ALL_LEVELS) {
      expect(all).toContain(`${derivedRollupSql(level)};`);
      expect(all).toContain(`${latencySummarySql(level)};`);
    }
    const status = await readFile(join(MIGRATIONS, STATUS_MIGRATION, 'migration.sql'), 'utf8');
    for (const level of SERVICE_STATUS_LEVELS) expect(status).toContain(`${derivedRollupSql(level)};`);
  });
});
