import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketKey } from '../../src/storage/histogram.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Regression tests of issue 15 (an audit against brute-force answers): paging across ties,
 * percentiles of very slow requests, pipeline bookkeeping by arrival, anomaly history scoped to
 * the service filter, and no phantom service. Each one failed before its fix.
 */

const MINUTE = 60_000;

function record(over: Record<string, unknown>) {
  return {
    timestamp: new Date(Date.now() - 10 * MINUTE).toISOString(),
    path: '/api/items',
    method: 'GET',
    status: 200,
    latency_ms: 10,
    user_agent: 'correctness-test',
    ip_address: '10.1.0.1',
    ...over,
  };
}

interface LogPage {
  recentLogs: {
    edges: { cursor: string; node: { id: string; requestId: string | null } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe.each(STORAGE_MODES)('issue 15 correctness on %s', (mode) => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function ingest(records: object[], query = ''): Promise<{ accepted: number; rejected: number; duplicate: boolean }> {
    const res = await gw.ingest(jsonLines(records), {}, query);
    expect(res.status).toBe(200);
    return (await res.json()) as { accepted: number; rejected: number; duplicate: boolean };
  }

  /** The next stored ids cross a power of ten (…98, 99, 100…), where text order and numeric order differ. */
  async function idsCrossAPowerOfTen(before: number): Promise<void> {
    const pool = gw.app.database!.pool;
    const { rows } = await pool.query<{ last: string }>(
      `SELECT last_value::text AS last FROM pg_sequences WHERE sequencename = 'logs_id_seq'`,
    );
    const next = 10 ** String(BigInt(rows[0]?.last ?? '1') + 1n).length;
    await pool.query(`SELECT setval('logs_id_seq', $1)`, [next - before - 1]);
  }

  async function pageAll(service: string, first: number, between?: (page: number) => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: { data?: LogPage; errors?: unknown } = await gw.graphql<LogPage>(
        `query($after: String, $first: Int, $service: String) { recentLogs(first: $first, after: $after, filter: {service: $service}) {
          edges { cursor node { id requestId } } pageInfo { hasNextPage endCursor } } }`,
        { after, first, service },
      );
      expect(res.errors).toBeUndefined();
      const { edges, pageInfo } = res.data!.recentLogs;
      seen.push(...edges.map((e) => e.node.requestId ?? e.node.id));
      if (!pageInfo.hasNextPage) return seen;
      after = pageInfo.endCursor;
      await between?.(page);
    }
    throw new Error('paging did not end');
  }

  it('pages through records that share one timestamp: every record exactly once', async () => {
    const at = new Date(Date.now() - 5 * MINUTE).toISOString();
    const ids = Array.from({ length: 12 }, (_, i) => `tie-${i}`);
    await idsCrossAPowerOfTen(6);
    await ingest(ids.map((id) => record({ timestamp: at, request_id: id, service: 'ties' })));
    const seen = await pageAll('ties', 5);
    expect(seen).toHaveLength(12);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('pages exactly once across ties while records keep arriving', async () => {
    const at = new Date(Date.now() - 4 * MINUTE);
    const ids = Array.from({ length: 23 }, (_, i) => `c-${i}`);
    await idsCrossAPowerOfTen(11);
    // Two timestamps, each shared by many records, ids spanning a power of ten (9 → 10 → 11...).
    await ingest(
      ids.map((id, i) => record({ timestamp: new Date(at.getTime() - (i % 2) * 1000).toISOString(), request_id: id, service: 'churn' })),
    );
    const late: string[] = [];
    const seen = await pageAll('churn', 4, async (page) => {
      // Newer records and records tied with those already paged arrive between pages: they
      // belong before the cursor, so they never show up, and nothing older is skipped.
      const id = `late-${page}`;
      late.push(id);
      await ingest([
        record({ timestamp: new Date(at.getTime() + 1000).toISOString(), request_id: id, service: 'churn' }),
        record({ timestamp: at.toISOString(), request_id: `${id}-tie`, service: 'churn' }),
      ]);
    });
    expect(seen.filter((id) => id.startsWith('c-')).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('lists an endpoint’s most recent errors by id among records of one timestamp', async () => {
    const at = new Date(Date.now() - 3 * MINUTE).toISOString();
    const ids = Array.from({ length: 12 }, (_, i) => `err-${i}`);
    await idsCrossAPowerOfTen(6);
    await ingest(ids.map((id) => record({ timestamp: at, request_id: id, status: 503, path: '/api/ties', service: 'ties-detail' })));
    const res = await gw.graphql<{ endpointDetail: { recentErrors: { id: string; requestId: string }[] } }>(
      `{ endpointDetail(range: {last: "1h"}, route: "/api/ties", method: "GET", service: "ties-detail", limit: 5) { recentErrors { id requestId } } }`,
    );
    expect(res.errors).toBeUndefined();
    const got = res.data!.endpointDetail.recentErrors;
    // Stored in order, so the newest five are the last five sent, newest first.
    expect(got.map((l) => l.requestId)).toEqual(['err-11', 'err-10', 'err-9', 'err-8', 'err-7']);
    const numeric = got.map((l) => BigInt(l.id));
    expect([...numeric].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))).toEqual(numeric);
  });

  const HISTOGRAM_TABLES = ['rollup_minute', 'rollup_hour', 'rollup_endpoint_5m', 'rollup_endpoint_15m', 'rollup_endpoint_hour'];

  async function latencyOf(service: string) {
    const res = await gw.graphql<{ services: { service: string; count: number; p50: number; p95: number; p99: number }[] }>(
      `query($s: String) { services(range: {last: "1h"}, service: $s) { service count p50 p95 p99 } }`,
      { s: service },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.services.find((x) => x.service === service)!;
  }
  const within4 = (got: number, want: number) => expect(Math.abs(got - want) / want).toBeLessThanOrEqual(0.04);

  it('reads percentiles of 300 s and 600 s requests within 4 %', async () => {
    await ingest([record({ service: 'slow', latency_ms: 300_000 }), record({ service: 'slow', latency_ms: 600_000 })]);
    const s = await latencyOf('slow');
    expect(s.count).toBe(2);
    within4(s.p50, 300_000);
    within4(s.p95, 600_000);
    within4(s.p99, 600_000);
  });

  it('recovers the maximum of histograms stored with the old 2-minute top bucket', async () => {
    await ingest([record({ service: 'legacy', latency_ms: 450_000 }), record({ service: 'legacy', latency_ms: 20 })]);
    const pool = gw.app.database!.pool;
    // As the old code stored them: every latency past ~121 s counted under key 182.
    for (const table of HISTOGRAM_TABLES) {
      await pool.query(`UPDATE ${table} SET hist_keys = array_replace(hist_keys, $1::smallint, 182::smallint) WHERE service = 'legacy'`, [
        bucketKey(450_000),
      ]);
    }
    expect((await latencyOf('legacy')).p99).toBeLessThan(130_000);
    const migration = readFileSync(
      new URL('../../../prisma/migrations/20261205214500_histogram_24h/migration.sql', import.meta.url),
      'utf8',
    );
    await pool.query(migration);
    const s = await latencyOf('legacy');
    within4(s.p99, 450_000);
    expect(s.p50).toBeLessThan(25);
  });

  interface Pipeline {
    batches: number;
    accepted: number;
    rejected: number;
    duplicateBatches: number;
    lastBatchAt: string | null;
    services: { service: string; batches: number; accepted: number; rejected: number; lastBatchAt: string | null }[];
  }
  async function pipeline(range: Record<string, string>): Promise<Pipeline> {
    const res = await gw.graphql<{ pipelineHealth: Pipeline }>(
      `query($range: TimeRange!) { pipelineHealth(range: $range) { batches accepted rejected duplicateBatches lastBatchAt
        services { service batches accepted rejected lastBatchAt } } }`,
      { range },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.pipelineHealth;
  }
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const between = (from: Date, to: Date) => ({ from: from.toISOString(), to: to.toISOString() });

  it('counts a retried batch when the retry arrived, and never changes the original’s window', async () => {
    const body = [record({ service: 'retry', request_id: 'r-1' }), record({ service: 'retry', request_id: 'r-2' })];
    const before = new Date();
    expect(await ingest(body)).toMatchObject({ accepted: 2, duplicate: false });
    await pause(50);
    const middle = new Date();
    await pause(50);
    expect(await ingest(body)).toMatchObject({ accepted: 2, duplicate: true });
    await pause(5);
    const after = new Date();
    const original = await pipeline(between(before, middle));
    expect(original).toMatchObject({ batches: 1, accepted: 2, duplicateBatches: 0 });
    const retry = await pipeline(between(middle, after));
    expect(retry).toMatchObject({ batches: 1, accepted: 0, duplicateBatches: 1 });
    expect(new Date(retry.lastBatchAt!).getTime()).toBeGreaterThanOrEqual(middle.getTime());
    expect(retry.services).toEqual([{ service: 'retry', batches: 1, accepted: 0, rejected: 0, lastBatchAt: retry.lastBatchAt }]);
  });

  it('counts an all-rejected batch in its service’s batches and last batch', async () => {
    const start = new Date();
    expect(await ingest([record({ service: 'rejecting' })], '?service=rejecting')).toMatchObject({ accepted: 1 });
    await pause(20);
    expect(
      await ingest(
        [record({ service: 'rejecting', status: 'bad' }), record({ service: 'rejecting', latency_ms: -1 })],
        '?service=rejecting',
      ),
    ).toMatchObject({ accepted: 0, rejected: 2 });
    await pause(5);
    const p = await pipeline(between(start, new Date()));
    const s = p.services.find((x) => x.service === 'rejecting')!;
    expect(s).toMatchObject({ batches: 2, accepted: 1, rejected: 2 });
    expect(s.lastBatchAt).toBe(p.lastBatchAt);
    expect(p.batches).toBe(2);
  });

  it('counts backfilled records when they arrived, not at their hours-old timestamps (the Pipeline page’s rate)', async () => {
    // npm start's history backfill: records of hours ago, shipped now. Counted by timestamp they
    // made the first minutes look like ~20 rec/s of ingest for ~5/s of real traffic.
    const HOUR = 3_600_000;
    const then = Date.now() - 3 * HOUR;
    const start = new Date();
    const old = Array.from({ length: 6 }, (_, i) =>
      record({ service: 'backfilled', timestamp: new Date(then + i * MINUTE).toISOString() }),
    );
    expect(await ingest(old)).toMatchObject({ accepted: 6 });
    await pause(5);
    const now = await pipeline(between(start, new Date()));
    expect(now.services).toEqual([{ service: 'backfilled', batches: 1, accepted: 6, rejected: 0, lastBatchAt: now.lastBatchAt }]);
    const atTheirTimestamps = await pipeline(between(new Date(then - 10 * MINUTE), new Date(then + 10 * MINUTE)));
    expect(atTheirTimestamps).toMatchObject({ batches: 0, accepted: 0, services: [] });
  });

  it('attributes batches to the services their records went to: no phantom `default`', async () => {
    const start = new Date();
    // No ?service=: the records name their service; one bad record rides along.
    expect(await ingest([record({ service: 'named' }), record({ service: 'named', status: 'bad' })])).toMatchObject({
      accepted: 1,
      rejected: 1,
    });
    await pause(5);
    const p = await pipeline(between(start, new Date()));
    expect(p.services).toEqual([{ service: 'named', batches: 1, accepted: 1, rejected: 1, lastBatchAt: p.lastBatchAt }]);
    const services = await gw.graphql<{ services: { service: string }[] }>(`{ services(range: {last: "1h"}) { service } }`);
    expect(services.data!.services.map((x) => x.service)).not.toContain('default');
  });

  it('anomalies: seasonality and history start follow the service filter', async () => {
    const HOUR = 3_600_000;
    const old = Date.now() - 4 * 24 * HOUR;
    await ingest([0, 1, 2].map((h) => record({ service: 'seasoned', timestamp: new Date(old + h * HOUR).toISOString() })));
    await ingest([record({ service: 'newcomer' })]);
    const query = `query($s: String) { anomalies(range: {last: "6h"}, service: $s) { seasonality historyStart } }`;
    const report = async (service: string | null) => {
      const res = await gw.graphql<{ anomalies: { seasonality: string; historyStart: string | null } }>(query, { s: service });
      expect(res.errors).toBeUndefined();
      return res.data!.anomalies;
    };
    const seasoned = await report('seasoned');
    expect(seasoned.seasonality).toBe('DAILY');
    expect(new Date(seasoned.historyStart!).getTime()).toBe(Math.floor(old / HOUR) * HOUR);
    const newcomer = await report('newcomer');
    expect(newcomer.seasonality).toBe('NONE');
    expect(new Date(newcomer.historyStart!).getTime()).toBeGreaterThan(Date.now() - 2 * HOUR);
    expect(await report('nobody')).toEqual({ seasonality: 'NONE', historyStart: null });
    expect((await report(null)).seasonality).toBe('DAILY');
  });
});
