// The README's partitioning recipe (deploy/postgres/partition-logs.sql) on a real database: the gateway
// runs unchanged on daily partitions, and retention can drop whole days.
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { record } from '../live/support.ts';

const RECIPE = new URL('../../../deploy/postgres/partition-logs.sql', import.meta.url);
const DAY = 86_400_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('raw logs partitioned by day (PostgreSQL)', () => {
  it('ingests, queries and deduplicates as before, and drops old days whole', async () => {
    const storage = await createTestStorage('postgres');
    cleanups.push(() => storage.drop());
    const env = { RETENTION_DAYS: '3650', ROLLUP_RETENTION_DAYS: '3650' };
    let gw: TestGateway = await startTestGateway('postgres', { storage, keepStorage: true, env });
    const before = [record({ path: '/before', timestamp: new Date(Date.now() - 2 * DAY).toISOString() })];
    expect((await gw.ingest(jsonLines(before))).status).toBe(200);
    await gw.close();

    const admin = new pg.Client({ connectionString: storage.databaseUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query(await readFile(RECIPE, 'utf8'));
    const partitions = async () =>
      (
        await admin.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'logs'::regclass ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    expect((await partitions()).length).toBe(31 + 1 + 7 + 1); // 31 days back, today, 7 ahead, default

    gw = await startTestGateway('postgres', { storage, keepStorage: true, env });
    cleanups.push(() => gw.close());
    const at = (daysAgo: number, path: string) => record({ path, timestamp: new Date(Date.now() - daysAgo * DAY).toISOString() });
    const body = jsonLines([at(0, '/today'), at(3, '/three-days'), at(10, '/ten-days'), at(45, '/forty-five-days')]);
    expect(await (await gw.ingest(body)).json()).toMatchObject({ accepted: 4, duplicate: false });
    expect(await (await gw.ingest(body)).json()).toMatchObject({ accepted: 4, duplicate: true });

    const paths = async () => {
      const page = await gw.graphql<{ recentLogs: { edges: { node: { path: string } }[] } }>(
        `{ recentLogs(first: 50) { edges { node { path } } } }`,
      );
      expect(page.errors).toBeUndefined();
      return page.data!.recentLogs.edges.map((e) => e.node.path);
    };
    expect(await paths()).toEqual(['/today', '/before', '/three-days', '/ten-days', '/forty-five-days']);
    const where = await admin.query<{ partition: string; path: string }>(
      `SELECT tableoid::regclass::text AS partition, path FROM logs ORDER BY timestamp DESC`,
    );
    expect(where.rows.at(-1)).toEqual({ partition: 'logs_default', path: '/forty-five-days' });
    expect(where.rows[0]!.partition).toMatch(/^logs_\d{8}$/);

    // Keep 5 days: the ten-day-old partition goes whole; the default partition's old row is left
    // to the gateway's own retention sweep (RETENTION_DAYS).
    await admin.query('SELECT logpulse_maintain_partitions(5)');
    expect(await paths()).toEqual(['/today', '/before', '/three-days', '/forty-five-days']);
    expect((await partitions()).length).toBe(5 + 1 + 7 + 1);
    const traffic = await gw.graphql<{ services: { count: number }[] }>(`{ services(range: {last: "30d"}) { count } }`);
    expect(traffic.errors).toBeUndefined();
    expect((await gw.ingest(jsonLines([at(0, '/after-maintenance')]))).status).toBe(200);
  });
});
