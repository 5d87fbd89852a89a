// Issue 21: one client must not be able to take what others need (ingest queue slots, the
// socket its other operations run on) nor be told more than it should.
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, sseClient, subscribe, waitLive, wsClient, type LogStreamData } from '../live/support.ts';
import { waitFor } from './support.ts';
import { RouteRegistry } from '../../src/storage/route-cap.ts';

/** A POST whose body is sent in two steps, so the request can be held open mid-body. */
function heldPost(url: string, headers: Record<string, string>, body: string) {
  const bytes = Buffer.from(body);
  const req = httpRequest(`${url}/log/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'content-length': String(bytes.length), ...headers },
  });
  const response = new Promise<number>((resolve, reject) => {
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
  });
  req.write(bytes.subarray(0, 1));
  return { response, finish: () => req.end(bytes.subarray(1)) };
}

describe('the ingest token is checked before a queue slot is taken (issue 21.8)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', {
      env: { INGEST_MAX_CONCURRENT: '1', INGEST_MAX_QUEUED: '1', INGEST_RATE_LIMIT_PER_SECOND: '0' },
    });
  });
  afterAll(() => gw?.close());

  it('answers unauthenticated requests 401 at once, so they cannot fill INGEST_MAX_QUEUED against a real shipper', async () => {
    const auth = { authorization: `Bearer ${TEST_TOKEN}` };
    const body = (path: string) => jsonLines([record({ service: 'queue', path })]);
    // A legitimate batch holds the one slot (its body is still arriving).
    const first = heldPost(gw.url, auth, body('/first'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Three unauthenticated requests, bodies held open too: they must not wait for (or in) the queue.
    const intruders = [0, 1, 2].map(() => heldPost(gw.url, { authorization: 'Bearer not-a-token' }, body('/intruder')));
    const intruderStatuses = await Promise.all(intruders.map((i) => i.response));
    // The shipper's next batch still finds room in the queue, and both batches are stored.
    const second = heldPost(gw.url, auth, body('/second'));
    second.finish();
    first.finish();
    const statuses = { intruders: intruderStatuses, first: await first.response, second: await second.response };
    for (const i of intruders) i.finish();
    console.info(`[reliability] ingest queue under unauthenticated requests: ${JSON.stringify(statuses)}`);
    expect(statuses).toEqual({ intruders: [401, 401, 401], first: 200, second: 200 });
  });
});

describe('one operation refused by the GraphQL limits over the WebSocket (issue 21.9)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres');
  });
  afterAll(() => gw?.close());

  it('answers that operation with its error; the socket and its other subscriptions live on', async () => {
    let closed: { code: number } | undefined;
    const client = wsClient(gw.url, { onClosed: (event) => (closed = event) });
    const live = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { service: 'limits' } });
    await waitLive(live);
    const aliases = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: aiInsights { pageInfo { hasNextPage } }`).join(' ')} }`;
    const over = { aliases, cost: '{ recentLogs(first: 100000) { edges { cursor } } }' };
    const refusals: Record<string, string> = {};
    for (const [name, query] of Object.entries(over)) {
      const answer = subscribe(client, query);
      await answer.until(`the answer to the ${name} operation`, () => answer.completed || answer.errors.length > 0);
      refusals[name] = JSON.stringify(answer.errors).slice(0, 120);
      expect(answer.errors.length, name).toBeGreaterThan(0);
      expect(JSON.stringify(answer.errors), name).toMatch(/limit/i);
    }
    // The subscription opened before the refusals still delivers, on the same socket.
    const path = `/limits/${Math.random()}`;
    expect((await gw.ingest(jsonLines([record({ service: 'limits', path })]))).status).toBe(200);
    await waitFor('the record on the surviving subscription', () => logsOf(live).some((l) => l.path === path));
    console.info(
      `[reliability] websocket operations over the limits: ${JSON.stringify(refusals)}; socket closed: ${closed ? closed.code : 'no'}`,
    );
    expect(closed).toBeUndefined();
    await client.dispose();
  });

  it('sends /graphql answers with nosniff and no-store, and limits the dashboard to its own origin (CSP connect-src)', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ aiInsights { pageInfo { hasNextPage } } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await fetch(`${gw.url}/`);
    await page.body?.cancel();
    const connect = (page.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('connect-src'));
    expect(connect).toBe("connect-src 'self'");
  });
});

describe('records older than RETENTION_DAYS (issue 21.9)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { RETENTION_DAYS: '7' } });
  });
  afterAll(() => gw?.close());

  it('dead-letters them with the reason instead of acknowledging records the next sweep would delete', async () => {
    const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const res = await gw.ingest(
      jsonLines([record({ service: 'aged', path: '/old', timestamp: old }), record({ service: 'aged', path: '/new' })]),
      {},
      '?service=aged',
    );
    const body = (await res.json()) as { accepted: number; rejected: number; errors?: { index: number; reason: string }[] };
    const pool = gw.app.database!.pool;
    const stored = (await pool.query<{ path: string }>(`SELECT path FROM logs WHERE service = 'aged'`)).rows.map((r) => r.path);
    const dead = (await pool.query<{ reason: string; raw: string }>(`SELECT reason, raw FROM dead_letters WHERE service = 'aged'`)).rows;
    console.info(
      `[reliability] records past RETENTION_DAYS=7: ${JSON.stringify({ accepted: body.accepted, rejected: body.rejected, stored, deadLettered: dead.length })}`,
    );
    expect(res.status).toBe(200);
    expect({ accepted: body.accepted, rejected: body.rejected }).toEqual({ accepted: 1, rejected: 1 });
    expect(body.errors?.[0]).toEqual({ index: 0, reason: expect.stringMatching(/older than RETENTION_DAYS \(7 days\)/) });
    expect(stored).toEqual(['/new']);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toMatch(/RETENTION_DAYS/);
    expect(dead[0]!.raw).toContain('/old');
  });
});

describe('bounded services (issue 21.7)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { MAX_SERVICES: '3' } });
  });
  afterAll(() => gw?.close());

  it('dead-letters records of services past MAX_SERVICES with the reason, keeps the known ones, and bounds `services`', async () => {
    const first = await gw.ingest(
      jsonLines(['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e'].map((service) => record({ service, path: '/x' }))),
    );
    const firstBody = (await first.json()) as { accepted: number; rejected: number; errors?: { index: number; reason: string }[] };
    // Known services keep working; a new one is still refused.
    const second = (await (
      await gw.ingest(jsonLines([record({ service: 'svc-a', path: '/y' }), record({ service: 'svc-f', path: '/y' })]))
    ).json()) as {
      accepted: number;
      rejected: number;
    };
    const pool = gw.app.database!.pool;
    const stored = (await pool.query<{ service: string }>('SELECT DISTINCT service FROM logs ORDER BY service')).rows.map((r) => r.service);
    const dead = Number(
      (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM dead_letters WHERE reason LIKE '%MAX_SERVICES%'`)).rows[0]!.n,
    );
    const range = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const all = await gw.graphql<{ services: { service: string }[] }>('query($r: TimeRange!) { services(range: $r) { service } }', {
      r: range,
    });
    const two = await gw.graphql<{ services: { service: string }[] }>(
      'query($r: TimeRange!) { services(range: $r, limit: 2) { service } }',
      { r: range },
    );
    const tooMany = await gw.graphql('query($r: TimeRange!) { services(range: $r, limit: 5000) { service } }', { r: range });
    console.info(
      `[reliability] MAX_SERVICES=3: ${JSON.stringify({ first: { accepted: firstBody.accepted, rejected: firstBody.rejected }, second, stored, deadLettered: dead })}`,
    );
    expect({ accepted: firstBody.accepted, rejected: firstBody.rejected }).toEqual({ accepted: 3, rejected: 2 });
    expect(firstBody.errors?.map((e) => e.index)).toEqual([3, 4]);
    expect(firstBody.errors?.[0]?.reason).toMatch(/MAX_SERVICES \(3 distinct services\)/);
    expect(second).toMatchObject({ accepted: 1, rejected: 1 });
    expect(stored).toEqual(['svc-a', 'svc-b', 'svc-c']);
    expect(dead).toBe(3);
    expect(all.data?.services).toHaveLength(3);
    expect(two.data?.services).toHaveLength(2);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('costs a batch the same few statements whether it names one service or 300', async () => {
    const pool = gw.app.database!.pool;
    const statementsFor = async (services: number) => {
      let statements = 0;
      const counting = {
        query: (text: string, values?: unknown[]) => {
          statements++;
          return pool.query(text, values);
        },
      } as unknown as typeof pool;
      const registry = new RouteRegistry(counting, 500, 10_000);
      const records = Array.from({ length: 600 }, (_, i) => ({
        service: `cost-${services}-${i % services}`,
        method: 'GET',
        route: `/r/${i}`,
      }));
      await registry.refusedServices(records.map((r) => r.service));
      await registry.apply(records);
      return statements;
    };
    const one = await statementsFor(1);
    const many = await statementsFor(300);
    console.info(`[reliability] statements per 600-record batch: 1 service ${one}, 300 services ${many}`);
    expect(many).toBe(one);
    expect(many).toBeLessThanOrEqual(3);
  });
});

describe('one cap on logStream subscriptions, WebSocket and SSE together (issue 21.4)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { LIVE_MAX_SUBSCRIPTIONS: '2', LIVE_MAX_FILTERS: '2' } });
  });
  afterAll(() => gw?.close());

  it('refuses the subscription past LIVE_MAX_SUBSCRIPTIONS on either transport (RATE_LIMITED; HTTP 429 for SSE), while /healthz answers', async () => {
    const ws = wsClient(gw.url);
    const sse = sseClient(gw.url);
    const viaWs = subscribe<LogStreamData>(ws, LOG_STREAM, { filter: { service: 'cap' } });
    const viaSse = subscribe<LogStreamData>(sse, LOG_STREAM, { filter: { service: 'cap' } });
    await Promise.all([waitLive(viaWs), waitLive(viaSse)]);
    const codeOf = async (received: { errors: unknown[]; until(what: string, check: () => boolean): Promise<void> }) => {
      await received.until('the refusal', () => received.errors.length > 0);
      return (received.errors[0] as { extensions?: { code?: string } }).extensions?.code ?? JSON.stringify(received.errors[0]);
    };
    const refused = {
      sse: await codeOf(subscribe(sse, LOG_STREAM, { filter: { service: 'cap' } })),
      ws: await codeOf(subscribe(ws, LOG_STREAM, { filter: { service: 'cap' } })),
    };
    const health = (await fetch(`${gw.url}/healthz`)).status;
    console.info(
      `[reliability] LIVE_MAX_SUBSCRIPTIONS=2 (1 WS + 1 SSE live): third refused ${JSON.stringify(refused)}; /healthz ${health}`,
    );
    // SSE: the RATE_LIMITED error's HTTP status (429) refuses the stream itself.
    expect(refused.sse).toMatch(/429/);
    expect(refused.ws).toBe('RATE_LIMITED');
    expect(health).toBe(200);
    // The two admitted subscriptions are unaffected.
    const path = `/cap/${Math.random()}`;
    expect((await gw.ingest(jsonLines([record({ service: 'cap', path })]))).status).toBe(200);
    for (const live of [viaWs, viaSse])
      await waitFor('the record on an admitted subscription', () => logsOf(live).some((l) => l.path === path));
    viaSse.unsubscribe();
    await ws.dispose();
    sse.dispose();
  });
});

describe('queries cannot starve ingest or readiness (issue 21.3)', () => {
  let gw: TestGateway;
  let admin: pg.Client;
  // pg_stat_activity is a snapshot per transaction: it is watched from outside the locking one.
  let watcher: pg.Client;

  beforeAll(async () => {
    // Statements may wait longer than a pool's 5 s connection timeout: the starving case.
    gw = await startTestGateway('postgres', { env: { STATEMENT_TIMEOUT_MS: '30000' } });
    admin = new pg.Client({ connectionString: gw.storage.databaseUrl });
    watcher = new pg.Client({ connectionString: gw.storage.databaseUrl });
    await Promise.all([admin.connect(), watcher.connect()]);
  });
  afterAll(async () => {
    await Promise.all([admin?.end(), watcher?.end()]);
    await gw?.close();
  });

  it('keeps ingest at 200 and /readyz at 200 while every query connection is held by slow analyses', async () => {
    // Every aiInsights query now waits (holding a query connection) until the lock goes.
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE ai_insights IN ACCESS EXCLUSIVE MODE');
    const flood = Array.from({ length: 14 }, () => gw.graphql('{ aiInsights(first: 5) { edges { cursor } } }'));
    try {
      await waitFor('the query pool to be taken by waiting analyses', async () => {
        const { rows } = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'logpulse-gateway' AND wait_event_type = 'Lock'`,
        );
        return rows[0]!.n >= 10;
      });
      const ingest: number[] = [];
      const ready: number[] = [];
      for (let i = 0; i < 3; i++) {
        ingest.push((await gw.ingest(jsonLines([record({ service: 'starve', path: `/during/${i}` })]))).status);
        ready.push((await fetch(`${gw.url}/readyz`)).status);
      }
      console.info(`[reliability] 14 analyses holding all 10 query connections: ingest ${ingest.join(',')}; /readyz ${ready.join(',')}`);
      expect(ingest).toEqual([200, 200, 200]);
      expect(ready).toEqual([200, 200, 200]);
    } finally {
      await admin.query('ROLLBACK');
    }
    const answers = await Promise.all(flood);
    expect(answers.every((a) => !a.errors)).toBe(true);
  });
});
