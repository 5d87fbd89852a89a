import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function record(i: number, over: Record<string, unknown> = {}) {
  return {
    timestamp: minutesAgo(i % 50),
    path: `/api/users/${i}`,
    method: i % 3 === 0 ? 'POST' : 'GET',
    status: i % 10 === 0 ? 500 : 200,
    latency_ms: 5 + (i % 97),
    user_agent: 'test',
    ip_address: `10.0.0.${i % 5}`,
    ...over,
  };
}

describe.each(STORAGE_MODES)('POST /log/ingest on %s', (mode) => {
  let gw: TestGateway;
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await gw.app.database!.pool.query<{ n: number }>(sql, params)).rows[0]!.n);

  beforeAll(async () => {
    // The Fluent Bit fixtures carry fixed 2026-11 timestamps: keep them inside RETENTION_DAYS for good.
    gw = await startTestGateway(mode, { env: { RETENTION_DAYS: '36500' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('stores every Fluent Bit capture: json, json_lines+gzip, date keys, parser-rewritten time', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['fluentbit-json.json', { 'content-type': 'application/json' }, ''],
      ['fluentbit-json_lines.gz', { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, '?service=fixtures-gz'],
      ['fluentbit-json-datekey.json', { 'content-type': 'application/json' }, '?service=fixtures-datekey&date_key=fb_date'],
      ['fluentbit-json-parser-time.json', { 'content-type': 'application/json' }, '?service=fixtures-parser'],
    ];
    for (const [name, headers, query] of cases) {
      const res = await gw.ingest(fixture(name), headers, query);
      expect(res.status, name).toBe(200);
      expect(await res.json(), name).toEqual({ accepted: 5, rejected: 0, duplicate: false });
    }
    const rows = (await gw.app.database!.pool.query(
      `SELECT timestamp, path, route, method, status, latency_ms, user_agent, ip_address, extra FROM logs
       WHERE service = 'fixtures-datekey' ORDER BY timestamp`,
    )).rows;
    expect(rows).toHaveLength(5);
    // The record's own timestamp wins over Fluent Bit's read time; the date key is not kept.
    expect(rows[0]).toMatchObject({ path: '/api/users/1', route: '/api/users/:id', method: 'GET', status: 200, latency_ms: 12.5, user_agent: 'curl/8.0', ip_address: '10.0.0.7', extra: null });
    expect((rows[0].timestamp as Date).toISOString()).toBe('2026-11-25T10:00:01.123Z');
    const parser = await gw.app.database!.pool.query(`SELECT timestamp FROM logs WHERE service = 'fixtures-parser' ORDER BY timestamp LIMIT 1`);
    expect((parser.rows[0].timestamp as Date).toISOString()).toBe('2026-11-25T10:00:01.123Z');
  });

  it('accepts the original system: json_stream, duplicated Content-Type, client_ip, zone-less times', async () => {
    const res = await fetch(`${gw.url}/log/ingest?service=seed`, {
      method: 'POST',
      headers: [['Authorization', `Bearer ${TEST_TOKEN}`], ['Content-Type', 'application/json'], ['Content-Type', 'application/json']],
      body: fixture('seed-json_stream.txt'),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 5, rejected: 0, duplicate: false });
    const rows = (await gw.app.database!.pool.query(`SELECT timestamp, ip_address, latency_ms, status, route FROM logs WHERE service = 'seed' ORDER BY timestamp`)).rows;
    expect(rows.map((r) => r.latency_ms)).toEqual([312, 322, 332, 342, 352]);
    expect(rows[0]).toMatchObject({ ip_address: '127.0.0.1', status: 500, route: '/api/order/checkout' });
    expect((rows[0].timestamp as Date).toISOString()).toBe('2026-11-25T10:00:01.000Z');
  });

  it('stores a 12,976-record Fluent Bit chunk once; its byte-identical retry is answered duplicate', async () => {
    const body = fixture('fluentbit-json_lines-12976.gz');
    const headers = { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' };
    const first = await gw.ingest(body, headers, '?service=big');
    expect(await first.json()).toEqual({ accepted: 12976, rejected: 0, duplicate: false });
    const retry = await gw.ingest(body, headers, '?service=big');
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ accepted: 12976, rejected: 0, duplicate: true });
    expect(await count(`SELECT count(*) AS n FROM logs WHERE service = 'big'`)).toBe(12976);
    expect(await count(`SELECT coalesce(sum(count), 0) AS n FROM rollup_minute WHERE service = 'big'`)).toBe(12976);
    expect(await count(`SELECT duplicates AS n FROM ingest_batches WHERE service = 'big'`)).toBe(1);
  });

  it('stores the good records of a partly bad batch and dead-letters each bad one with its reason', async () => {
    const body = [
      JSON.stringify(record(1, { service: 'partial' })),
      '{"broken": ',
      JSON.stringify(record(2, { service: 'partial', status: 'abc' })),
      JSON.stringify(record(3, { service: 'partial' })),
      JSON.stringify({ ...record(4, { service: 'partial' }), latency_ms: -5 }),
    ].join('\n');
    const res = await gw.ingest(body, {}, '?service=partial');
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json).toMatchObject({ accepted: 2, rejected: 3, duplicate: false });
    expect(json.errors.map((e: { index: number }) => e.index)).toEqual([1, 2, 4]);
    const dead = (await gw.app.database!.pool.query(`SELECT reason, raw FROM dead_letters WHERE service = 'partial' ORDER BY id`)).rows;
    expect(dead.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^line 2: invalid JSON/),
      expect.stringMatching(/^status: status must be a number \(got "abc"\)/),
      expect.stringMatching(/^latency_ms: latency_ms must not be negative/),
    ]);
    expect(dead[0].raw).toBe('{"broken":');
    expect(JSON.parse(dead[1].raw)).toMatchObject({ status: 'abc' });
  });

  it('keeps an unparseable body in the dead-letter table before answering 400', async () => {
    const body = gzipSync('this is not json at all');
    const res = await gw.ingest(body, { 'content-encoding': 'gzip' }, '?service=garbage');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/no parseable JSON record; line 1: invalid JSON/);
    const rows = (await gw.app.database!.pool.query(`SELECT reason, body FROM dead_letters WHERE service = 'garbage'`)).rows;
    expect(rows).toHaveLength(1);
    expect(Buffer.compare(rows[0].body as Buffer, body)).toBe(0);

    const truncated = await gw.ingest(gzipSync(jsonLines([record(1)])).subarray(0, 20), { 'content-encoding': 'gzip' }, '?service=garbage');
    expect(truncated.status).toBe(400);
    expect((await truncated.json()).error).toMatch(/not valid gzip/);
    expect(await count(`SELECT count(*) AS n FROM dead_letters WHERE service = 'garbage'`)).toBe(2);
  });

  it('refuses missing or wrong tokens (401), unknown types (415), bad service names (400), other methods (405)', async () => {
    const body = jsonLines([record(1)]);
    expect((await gw.ingest(body, { authorization: '' })).status).toBe(401);
    expect((await gw.ingest(body, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await gw.ingest(body, { authorization: `Basic ${TEST_TOKEN}` })).status).toBe(401);
    const unsupported = await gw.ingest(body, { 'content-type': 'text/html' });
    expect(unsupported.status).toBe(415);
    expect((await unsupported.json()).error).toMatch(/text\/html/);
    expect((await gw.ingest(body, { 'content-encoding': 'br' })).status).toBe(415);
    expect((await gw.ingest(body, {}, '?service=bad%20name')).status).toBe(400);
    expect((await fetch(`${gw.url}/log/ingest`)).status).toBe(405);
  });

  it('makes all-bad batches 200 with everything rejected', async () => {
    const res = await gw.ingest(jsonLines([{ nope: true }, { path: '/x' }]), {}, '?service=allbad');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: 2 });
  });

  it('keeps rollups equal to the raw rows after many concurrent batches', async () => {
    const batches = Array.from({ length: 12 }, (_, b) =>
      jsonLines(Array.from({ length: 250 }, (_, i) => record(b * 1000 + i, { service: 'rollup' }))),
    );
    const results = await Promise.all(batches.map((body) => gw.ingest(body)));
    expect(results.map((r) => r.status)).toEqual(batches.map(() => 200));
    const raw = (await gw.app.database!.pool.query(
      `SELECT date_trunc('minute', timestamp) AS bucket, method, route, status, count(*)::int AS n, sum(latency_ms) AS s, max(latency_ms) AS m
       FROM logs WHERE service = 'rollup' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    )).rows;
    const rolled = (await gw.app.database!.pool.query(
      `SELECT bucket, method, route, status, count AS n, latency_sum AS s, latency_max AS m,
              (SELECT sum(c)::int FROM unnest(hist_counts) c) AS h
       FROM rollup_minute WHERE service = 'rollup' ORDER BY 1, 2, 3, 4`,
    )).rows;
    expect(rolled.map(({ h, ...r }) => ({ ...r, s: Math.round(r.s * 1000) }))).toEqual(raw.map((r) => ({ ...r, s: Math.round(r.s * 1000) })));
    for (const r of rolled) expect(r.h).toBe(r.n);
    expect(await count(`SELECT sum(count) AS n FROM rollup_hour WHERE service = 'rollup'`)).toBe(3000);
  });

  it('caps distinct routes per service, sending the overflow to /:other', async () => {
    const capped = await startTestGateway(mode, { env: { MAX_ROUTES_PER_SERVICE: '5' } });
    try {
      const scan = Array.from({ length: 40 }, (_, i) => record(i, { path: `/probe-${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'xyz'[i % 3]}/x`, service: 'scanned' }));
      expect((await capped.ingest(jsonLines(scan))).status).toBe(200);
      const routes = (await capped.app.database!.pool.query(`SELECT DISTINCT route FROM logs WHERE service = 'scanned'`)).rows.map((r) => r.route);
      expect(routes).toContain('/:other');
      expect(routes.length).toBeLessThanOrEqual(6);
      // Other services have their own budget.
      expect((await capped.ingest(jsonLines([record(1, { service: 'other-svc', path: '/fine' })]))).status).toBe(200);
      expect((await capped.app.database!.pool.query(`SELECT route FROM logs WHERE service = 'other-svc'`)).rows[0].route).toBe('/fine');
    } finally {
      await capped.close();
    }
  });

  it('reports it all in pipelineHealth', async () => {
    const res = await gw.graphql<{ pipelineHealth: Record<string, unknown> & { services: { service: string; accepted: number }[]; deadLetterReasons: { reason: string; count: number }[] } }>(
      `{ pipelineHealth(range: {last: "1h"}) { batches accepted rejected duplicateBatches unparseableBodies lastBatchAt
          services { service batches accepted rejected lastBatchAt lagP50Ms lagP95Ms }
          deadLetterReasons { reason count sample lastSeenAt } } }`,
    );
    expect(res.errors).toBeUndefined();
    const p = res.data!.pipelineHealth;
    expect(p.duplicateBatches).toBeGreaterThanOrEqual(1);
    expect(p.unparseableBodies).toBe(2);
    expect(p.services.find((s) => s.service === 'big')?.accepted).toBe(12976);
    expect(p.deadLetterReasons.some((r) => r.reason.startsWith('status: status must be a number'))).toBe(true);
    const bad = await gw.graphql(`{ pipelineHealth(range: {last: "soon"}) { batches } }`);
    expect(bad.errors?.[0]?.message).toMatch(/not a duration/);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: mode });
  });
});

describe('size limits', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { INGEST_MAX_BODY_BYTES: '65536', INGEST_MAX_DECODED_BYTES: '1048576' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('answers 413 past the compressed limit and for gzip bombs, without storing anything', async () => {
    const big = jsonLines(Array.from({ length: 2000 }, (_, i) => record(i)));
    expect(big.length).toBeGreaterThan(65536);
    const tooBig = await gw.ingest(big);
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json()).error).toMatch(/exceeds/);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const bombed = await gw.ingest(bomb, { 'content-encoding': 'gzip' });
    expect(bombed.status).toBe(413);
    expect((await bombed.json()).error).toMatch(/decompressed body exceeds/);
    expect(Number((await gw.app.database!.pool.query('SELECT count(*) AS n FROM logs')).rows[0].n)).toBe(0);
    // The gateway is still fine afterwards.
    expect((await gw.ingest(jsonLines([record(1)]))).status).toBe(200);
  });
});
