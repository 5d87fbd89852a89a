import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactRollups } from '../../src/storage/rollup-compaction.ts';
import { sweepRetention } from '../../src/storage/retention.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';

const DAY = 86_400_000;

describe.each(STORAGE_MODES)('retention on %s', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('removes raw logs past RETENTION_DAYS in batches, keeps rollups until ROLLUP_RETENTION_DAYS', async () => {
    const now = Date.now();
    const at = (daysAgo: number, i: number) => ({
      timestamp: new Date(now - daysAgo * DAY - i * 1000).toISOString(),
      path: `/r/${i}`,
      method: 'GET',
      status: 200,
      latency_ms: 1,
    });
    const old = Array.from({ length: 120 }, (_, i) => at(10, i));
    const recent = Array.from({ length: 30 }, (_, i) => at(1, i));
    expect((await gw.ingest(jsonLines([...old, ...recent]))).status).toBe(200);
    const pool = gw.app.database!.pool;
    const count = async (sql: string) => Number((await pool.query(sql)).rows[0].n);

    const result = await sweepRetention(pool, { retentionDays: 5, rollupRetentionDays: 30, batchSize: 25 }, now);
    expect(result.logs).toBe(120);
    expect(result.rollups).toBe(0);
    expect(await count('SELECT count(*) AS n FROM logs')).toBe(30);
    expect(await count('SELECT sum(count) AS n FROM rollup_hour')).toBe(150);

    const later = await sweepRetention(pool, { retentionDays: 5, rollupRetentionDays: 7 }, now);
    expect(later.logs).toBe(0);
    expect(later.rollups).toBeGreaterThan(0);
    expect(await count('SELECT sum(count) AS n FROM rollup_hour')).toBe(30);
    expect(await count('SELECT sum(count) AS n FROM rollup_minute')).toBe(30);
  });

  it('prunes the endpoint rollups and their dirty marks with the other rollups', async () => {
    const now = Date.now();
    const pool = gw.app.database!.pool;
    const at = (daysAgo: number, i: number) => ({
      timestamp: new Date(now - daysAgo * DAY - i * 7000).toISOString(),
      path: `/e/${i}`,
      method: 'GET',
      status: 200,
      latency_ms: 2,
    });
    expect(
      (await gw.ingest(jsonLines([...Array.from({ length: 40 }, (_, i) => at(20, i)), ...Array.from({ length: 10 }, (_, i) => at(2, i))])))
        .status,
    ).toBe(200);
    await compactRollups(pool, now);
    // A late record for an old, compacted bucket marks it again.
    expect((await gw.ingest(jsonLines([at(20, 1000)]))).status).toBe(200);
    const sum = async (table: string) =>
      Number((await pool.query(`SELECT coalesce(sum(count), 0) AS n FROM ${table} WHERE route LIKE '/e/%'`)).rows[0].n);
    const oldMarks = async () =>
      Number((await pool.query('SELECT count(*) AS n FROM rollup_dirty WHERE bucket < $1', [new Date(now - 10 * DAY)])).rows[0].n);
    for (const table of ['rollup_endpoint_5m', 'rollup_endpoint_15m', 'rollup_endpoint_hour']) expect(await sum(table), table).toBe(50);
    expect(await oldMarks()).toBe(1);
    // The levels without a route (per service, all traffic, per service and status) hold the old buckets too.
    const unrouted = [
      'rollup_service_5m',
      'rollup_service_15m',
      'rollup_service_hour',
      'rollup_all_5m',
      'rollup_all_15m',
      'rollup_all_hour',
      'rollup_status_5m',
      'rollup_status_hour',
    ];
    const oldRows = async (table: string) =>
      Number((await pool.query(`SELECT count(*) AS n FROM ${table} WHERE bucket < $1`, [new Date(now - 15 * DAY)])).rows[0].n);
    for (const table of unrouted) expect(await oldRows(table), table).toBeGreaterThan(0);

    const result = await sweepRetention(pool, { retentionDays: 30, rollupRetentionDays: 10 }, now);
    expect(result.rollups).toBeGreaterThan(0);
    for (const table of ['rollup_minute', 'rollup_hour', 'rollup_endpoint_5m', 'rollup_endpoint_15m', 'rollup_endpoint_hour'])
      expect(await sum(table), table).toBe(10);
    for (const table of unrouted) expect(await oldRows(table), table).toBe(0);
    expect(await oldMarks()).toBe(0);
  });
});
