// Issue 21.3: analyses cannot outlive their client, one client cannot run them without bound, and
// an operation's cost grows with the time ranges it asks for. Real gateway, real PostgreSQL, real
// HTTP and WebSocket clients; a slow analysis is one waiting behind a lock on the table it reads.
import { stat } from 'node:fs/promises';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { dashboardOperations } from '../support/dashboard-operations.ts';
import { record, subscribe, wsClient } from '../live/support.ts';
import { report, shipperWorkspace, storedCounts, waitFor, writeLogStream } from './support.ts';
import { schema } from '../../src/graphql/schema.ts';
import { operationRangeHours } from '../../src/graphql/analysis-guard.ts';

type GraphQLResult = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** alertHistory reads alert_events, which ingest never writes: locking it slows analyses only. */
const SLOW_ANALYSIS = '{ alertHistory(range: {last: "1h"}) { id } }';
const WAITING = `SELECT count(*)::int AS n FROM pg_stat_activity
  WHERE datname = current_database() AND application_name = 'logpulse-gateway' AND state = 'active' AND query LIKE '%FROM alert_events WHERE at >=%'`;

async function post(
  url: string,
  query: string,
  options: { variables?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
    signal: options.signal,
  });
  return { status: res.status, body: (await res.json()) as GraphQLResult };
}

/** An admin connection holding an ACCESS EXCLUSIVE lock on alert_events, and one watching pg_stat_activity. */
async function lockAndWatch(databaseUrl: string) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  // pg_stat_activity is a snapshot per transaction: watched from outside the locking one.
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([admin.connect(), watcher.connect()]);
  return {
    lock: async () => {
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE alert_events IN ACCESS EXCLUSIVE MODE');
    },
    unlock: () => admin.query('ROLLBACK'),
    waiting: async () => (await watcher.query<{ n: number }>(WAITING)).rows[0]!.n,
    end: () => Promise.all([admin.end(), watcher.end()]),
  };
}

/** Milliseconds until no slow analysis runs any more (or the bound passes). */
async function msUntilGone(waiting: () => Promise<number>, boundMs: number): Promise<number> {
  const started = performance.now();
  while ((await waiting()) > 0) {
    if (performance.now() - started > boundMs) throw new Error(`statements still running after ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Math.round(performance.now() - started);
}

const errorLines = (logs: string[]) => logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

describe('statements of an operation whose client went away are cancelled (issue 21.3)', () => {
  let gw: TestGateway;
  let db: Awaited<ReturnType<typeof lockAndWatch>>;
  const logs: string[] = [];

  beforeAll(async () => {
    // Without the cancel, a waiting statement would sit there for a minute. No alert evaluator:
    // its reads of the locked alert tables would take query connections the counts below assume free.
    // 14 analyses from one client: more than the 10 query connections, under the per-client cap.
    gw = await startTestGateway('postgres', {
      env: { STATEMENT_TIMEOUT_MS: '60000', ANALYTICS_MAX_CONCURRENT_PER_CLIENT: '20', ALERTS_ENABLED: 'false' },
      logs,
    });
    db = await lockAndWatch(gw.storage.databaseUrl!);
  });
  afterAll(async () => {
    await db?.end();
    await gw?.close();
  });

  it('cancels the statements of aborted HTTP requests; their connections go back to the pool healthy, nothing logged at error level', async () => {
    const pool = gw.app.database!.pool;
    await db.lock();
    try {
      // 10 run (every query connection), 4 wait for a connection (or 5: rollup compaction's
      // periodic read may be queued behind them too; it is not cancelled, it just runs after).
      const clients = Array.from({ length: 14 }, () => new AbortController());
      const requests = clients.map((c) => post(gw.url, SLOW_ANALYSIS, { signal: c.signal }).catch((e: Error) => e.name));
      await waitFor(
        'ten analyses waiting on the lock, four for a connection',
        async () => (await db.waiting()) === 10 && pool.waitingCount >= 4,
        30_000,
      );
      const held = pool.totalCount;
      for (const c of clients) c.abort();
      const ms = await msUntilGone(db.waiting, 5_000);
      expect(await Promise.all(requests)).toEqual(Array(14).fill('AbortError'));
      // The lock is still held: the statements ended because they were cancelled, and the four
      // that were waiting for a connection never start one.
      await waitFor('the connections back in the pool', () => pool.idleCount === pool.totalCount);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, running: await db.waiting() };
      // The pool still serves: a query on another table answers while the lock is held.
      const other = await post(gw.url, '{ aiInsights(first: 1) { edges { cursor } } }');
      report('HTTP clients aborted mid-analysis', { statements: 10, queued: 4, goneAfterMs: ms, connectionsBefore: held, ...after });
      expect(after.running).toBe(0);
      expect(after.total).toBe(held);
      expect(after.waiting).toBe(0);
      expect(other.body.errors).toBeUndefined();
    } finally {
      await db.unlock();
    }
    expect(errorLines(logs)).toEqual([]);
  });

  it('cancels the statement of a WebSocket operation the client completes, and of one whose socket closes', async () => {
    const pool = gw.app.database!.pool;
    await db.lock();
    try {
      const client = wsClient(gw.url);
      const completed = subscribe(client, SLOW_ANALYSIS);
      await waitFor('the WebSocket analysis waiting on the lock', async () => (await db.waiting()) === 1);
      completed.unsubscribe(); // graphql-ws sends `complete`
      const afterComplete = await msUntilGone(db.waiting, 5_000);

      subscribe(client, SLOW_ANALYSIS);
      subscribe(client, SLOW_ANALYSIS);
      await waitFor('two more waiting', async () => (await db.waiting()) === 2);
      await client.dispose(); // the socket closes
      const afterClose = await msUntilGone(db.waiting, 5_000);
      await waitFor('the connections back in the pool', () => pool.idleCount === pool.totalCount);
      report('WebSocket operations completed / socket closed mid-analysis', {
        afterCompleteMs: afterComplete,
        afterCloseMs: afterClose,
        poolTotal: pool.totalCount,
      });
    } finally {
      await db.unlock();
    }
    // Once the lock is gone the pool still answers analyses.
    expect((await post(gw.url, SLOW_ANALYSIS)).body.errors).toBeUndefined();
    expect(errorLines(logs)).toEqual([]);
  });
});

describe('per-client cap on concurrent analyses (issue 21.3)', () => {
  let gw: TestGateway;
  let db: Awaited<ReturnType<typeof lockAndWatch>>;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', {
      // TRUST_PROXY_HOPS=1: X-Forwarded-For names the client, so one test can be several clients.
      env: { STATEMENT_TIMEOUT_MS: '60000', ANALYTICS_MAX_CONCURRENT_PER_CLIENT: '2', TRUST_PROXY_HOPS: '1' },
    });
    db = await lockAndWatch(gw.storage.databaseUrl!);
  });
  afterAll(async () => {
    await db?.end();
    await gw?.close();
  });

  it('refuses a client its third running analysis with RATE_LIMITED (429) at once; other clients, other fields and ingest carry on', async () => {
    const a = { 'x-forwarded-for': '10.0.0.1' };
    const b = { 'x-forwarded-for': '10.0.0.2' };
    await db.lock();
    let held: Promise<{ status: number; body: GraphQLResult }>[] = [];
    try {
      held = [post(gw.url, SLOW_ANALYSIS, { headers: a }), post(gw.url, SLOW_ANALYSIS, { headers: a })];
      await waitFor('client A running two analyses', async () => (await db.waiting()) === 2);
      const started = performance.now();
      const third = await post(gw.url, SLOW_ANALYSIS, { headers: a });
      const refusedInMs = Math.round(performance.now() - started);
      held.push(post(gw.url, SLOW_ANALYSIS, { headers: b }));
      await waitFor("client B's analysis running", async () => (await db.waiting()) === 3);
      const cheap = await post(gw.url, '{ aiInsights(first: 1) { edges { cursor } } }', { headers: a });
      const ingest = (await gw.ingest(jsonLines([record({ service: 'capped', path: '/during' })]))).status;
      report('ANALYTICS_MAX_CONCURRENT_PER_CLIENT=2', {
        third: `${third.status} ${String(third.body.errors?.[0]?.extensions?.code)}`,
        refusedInMs,
        otherClientRunning: (await db.waiting()) - 2,
        ingest,
      });
      expect(third.status).toBe(429);
      expect(third.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(third.body.errors?.[0]?.message).toMatch(/ANALYTICS_MAX_CONCURRENT_PER_CLIENT/);
      expect(cheap.body.errors).toBeUndefined();
      expect(ingest).toBe(200);
    } finally {
      await db.unlock();
    }
    const answers = await Promise.all(held);
    expect(answers.map((r) => r.body.errors)).toEqual([undefined, undefined, undefined]);
    // Slots are given back: A may run analyses again.
    expect((await post(gw.url, SLOW_ANALYSIS, { headers: a })).body.errors).toBeUndefined();
  });
});

describe('the cost of an operation grows with its time ranges (issue 21.3)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres');
  });
  afterAll(() => gw?.close());

  const aliased = (n: number, range: string) =>
    `query($r: TimeRange!) { ${Array.from({ length: n }, (_, i) => `a${i}: services(range: ${range}) { service }`).join(' ')} }`;

  it('refuses 20 aliased 30-day analyses (literal or in a variable) before any SQL runs, with QUERY_TOO_EXPENSIVE', async () => {
    const literal = await post(gw.url, aliased(20, '{last: "30d"}').replace('query($r: TimeRange!) ', ''));
    const variable = await post(gw.url, aliased(20, '$r'), { variables: { r: { last: '30d' } } });
    const viaFragment = await post(
      gw.url,
      `query($r: TimeRange!) { ${Array.from({ length: 20 }, (_, i) => `a${i}: traffic(range: $r) { ...T }`).join(' ')} } fragment T on Traffic { points { requests } }`,
      { variables: { r: { last: '30d' } } },
    );
    // Dates arrive as strings in the variables: counted once coerced, as execution will.
    const fromTo = await post(gw.url, aliased(20, '$r'), {
      variables: { r: { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date().toISOString() } },
    });
    // The same 20 aliases over an hour each are fine.
    const short = await post(gw.url, aliased(20, '$r'), { variables: { r: { last: '1h' } } });
    report('range cost', {
      literal: String(literal.body.errors?.[0]?.extensions?.rangeHours),
      variable: String(variable.body.errors?.[0]?.extensions?.rangeHours),
      limit: String(variable.body.errors?.[0]?.extensions?.maxRangeHours),
      shortOk: String(short.body.errors === undefined),
    });
    for (const refused of [literal, variable, viaFragment, fromTo]) {
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_EXPENSIVE');
      expect(refused.body.errors?.[0]?.message).toMatch(/GRAPHQL_MAX_RANGE_HOURS/);
      expect(refused.body.data ?? null).toBeNull();
    }
    expect(variable.body.errors?.[0]?.extensions?.rangeHours).toBe(14_400);
    expect(short.body.errors).toBeUndefined();
  });

  it("lets every dashboard operation through at the dashboard's longest range (30 days), and runs the Overview page's for real", async () => {
    const now = Date.now();
    const thirtyDays = { last: '30d' };
    const costs: Record<string, number> = {};
    for (const op of (await dashboardOperations()).filter((o) => o.kind === 'query')) {
      const document = parse(op.document);
      // Every range at 30 days; other required variables get a plausible value.
      const sample: Record<string, unknown> = { 'TimeRange!': thirtyDays, 'String!': 'GET', 'Float!': 500, 'Int!': 1 };
      const operation = document.definitions[0] as OperationDefinitionNode;
      const variables = Object.fromEntries(
        (operation.variableDefinitions ?? []).flatMap((v) =>
          print(v.type) in sample ? [[v.variable.name.value, sample[print(v.type)]]] : [],
        ),
      );
      costs[op.name] = operationRangeHours(schema, document, op.name, variables, now, 400).hours;
    }
    const overview = (await dashboardOperations()).find((o) => o.name === 'OverviewPage_Query')!;
    const real = await post(gw.url, overview.document, { variables: { range: thirtyDays, previous: thirtyDays } });
    report('range hours of dashboard operations at 30 days', costs);
    expect(Object.keys(costs).length).toBeGreaterThan(5);
    expect(Math.max(...Object.values(costs))).toBeLessThanOrEqual(gw.config.analysisLimits.maxRangeHours);
    expect(costs.OverviewPage_Query).toBe(6 * 720);
    expect(real.body.errors).toBeUndefined();
  });
});

describe('the cost of an operation grows with the rows its ranges scan (issue 21.3)', () => {
  const HOUR = 3_600_000;
  const LIMIT = 5_000;
  let busy: TestGateway;
  let quiet: TestGateway;

  beforeAll(async () => {
    [busy, quiet] = await Promise.all([
      startTestGateway('postgres', { env: { GRAPHQL_MAX_SCANNED_ROWS: String(LIMIT) } }),
      startTestGateway('postgres', { env: { GRAPHQL_MAX_SCANNED_ROWS: String(LIMIT) } }),
    ]);
    // 30 endpoints × 2 statuses inside the last complete hour: 60 hour-rollup rows per hour.
    const at = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR / 2).toISOString();
    const records = Array.from({ length: 30 }, (_, i) =>
      [200, 500].map((status) => record({ timestamp: at, path: `/api/r${i}`, status })),
    ).flat();
    const res = await busy.ingest(jsonLines(records));
    expect(res.status).toBe(200);
  });
  afterAll(() => Promise.all([busy?.close(), quiet?.close()]));

  const twice = (range: string) => `{ a: services(range: ${range}) { service } b: services(range: ${range}) { service } }`;
  const SEVEN_DAYS = twice('{last: "7d"}');

  it('refuses 2 × 7 days over data with 60 rows per hour (20,160 rows > 5,000) with QUERY_TOO_EXPENSIVE; 2 × 1 day, and one field alone, pass', async () => {
    const refused = await post(busy.url, SEVEN_DAYS);
    const day = await post(busy.url, twice('{last: "24h"}'));
    const single = await post(busy.url, '{ services(range: {last: "7d"}) { service } }');
    report('rows-scanned cost', {
      rowsPerHour: String(refused.body.errors?.[0]?.extensions?.rowsPerHour),
      estimatedRows: String(refused.body.errors?.[0]?.extensions?.estimatedRows),
    });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_EXPENSIVE',
      rangeHours: 336,
      rowsPerHour: 60,
      estimatedRows: 20_160,
      maxScannedRows: LIMIT,
    });
    expect(refused.body.errors?.[0]?.message).toMatch(/GRAPHQL_MAX_SCANNED_ROWS/);
    expect(refused.body.data ?? null).toBeNull();
    expect(day.body.errors).toBeUndefined();
    expect(single.body.errors).toBeUndefined();
  });

  it('lets the same 2 × 7-day operation through on a gateway whose data is small', async () => {
    const res = await post(quiet.url, SEVEN_DAYS);
    expect(res.body.errors).toBeUndefined();
  });
});

describe('a query flood at the limits while the shipper streams (issue 21.3)', () => {
  let gw: TestGateway;
  let ws: Awaited<ReturnType<typeof shipperWorkspace>>;

  beforeAll(async () => {
    // X-Forwarded-For names the flood's clients (TRUST_PROXY_HOPS=1): several clients, each at its cap.
    gw = await startTestGateway('postgres', { env: { TRUST_PROXY_HOPS: '1' } });
    ws = await shipperWorkspace();
  });
  afterAll(async () => {
    await ws?.cleanup();
    await gw?.close();
  });

  it('answers 0 ingest requests 503 and keeps /readyz at 200 while 4 clients × 10 loops send 20-alias analyses at the range limit', async () => {
    const run = `flood-${Date.now().toString(36)}`;
    // Something to scan: a day of data spread over the range the flood reads.
    const seed = Array.from({ length: 4_000 }, (_, i) =>
      record({ service: 'seeded', path: `/seed/${i % 40}`, timestamp: new Date(Date.now() - (i % 1440) * 60_000).toISOString() }),
    );
    expect((await gw.ingest(jsonLines(seed))).status).toBe(200);
    // 20 aliases (GRAPHQL_MAX_ALIASES) × 20 days = 9,600 range hours, just under GRAPHQL_MAX_RANGE_HOURS.
    const heavy = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: services(range: {last: "20d"}) { service count }`).join(' ')} }`;
    let flooding = true;
    const outcomes: Record<string, number> = {};
    const loop = async (client: string) => {
      while (flooding) {
        const answer = await post(gw.url, heavy, { headers: { 'x-forwarded-for': client } }).catch((e: Error) => ({
          status: 0,
          body: { errors: [{ message: e.message }] } as GraphQLResult,
        }));
        const outcome = answer.body.errors ? String(answer.body.errors[0]?.extensions?.code ?? answer.body.errors[0]?.message) : 'ok';
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (outcome === 'RATE_LIMITED') await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const ready: number[] = [];
    const probe = (async () => {
      while (flooding) {
        ready.push((await fetch(`${gw.url}/readyz`)).status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const flood = ['10.9.0.1', '10.9.0.2', '10.9.0.3', '10.9.0.4'].flatMap((client) => Array.from({ length: 10 }, () => loop(client)));
    const started = performance.now();
    const total = 6_000;
    const shipper = ws.start({ url: `${gw.url}/log/ingest?service=${run}` });
    try {
      await writeLogStream(ws.file, run, total, { perAppend: 50, pauseMs: 25, service: run });
      const size = (await stat(ws.file)).size;
      await waitFor(
        'the shipper to deliver everything',
        () => !shipper.stats().inflight && shipper.stats().position?.offset === size,
        90_000,
      );
    } finally {
      flooding = false;
      await Promise.all([...flood, probe]);
    }
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const counts = await storedCounts(gw.storage.databaseUrl!, run);
    const stats = shipper.stats();
    report('query flood at the limits while the shipper streams', {
      seconds,
      operations: JSON.stringify(outcomes),
      shipperBatches: stats.batchesSent,
      shipperRetries: stats.retries,
      stored: counts.stored,
      distinct: counts.distinct,
      readyz: `${ready.filter((s) => s === 200).length}/${ready.length} × 200`,
    });
    expect(outcomes.ok ?? 0).toBeGreaterThan(0);
    expect(outcomes.RATE_LIMITED ?? 0).toBeGreaterThan(0);
    expect(Object.keys(outcomes).filter((o) => o !== 'ok' && o !== 'RATE_LIMITED')).toEqual([]);
    expect(stats.retries).toBe(0);
    expect(counts).toEqual({ stored: total, distinct: total });
    expect(ready.length).toBeGreaterThan(5);
    expect(ready.every((s) => s === 200)).toBe(true);
  });
});

describe('work shared by several operations is not cancelled by one of them leaving (issue 21.3)', () => {
  let gw: TestGateway;
  let admin: pg.Client;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { STATEMENT_TIMEOUT_MS: '60000' } });
    admin = new pg.Client({ connectionString: gw.storage.databaseUrl! });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await gw?.close();
  });

  it('answers the second of two identical anomaly analyses (one cached computation) after the first client aborted', async () => {
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const range = { from: new Date(to.getTime() - 3_600_000).toISOString(), to: to.toISOString() };
    const query = 'query($r: TimeRange!) { anomalies(range: $r) { bucketSeconds anomalies { direction } } }';
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE rollup_minute, rollup_hour, logs IN ACCESS EXCLUSIVE MODE');
    const leaving = new AbortController();
    const first = post(gw.url, query, { variables: { r: range }, signal: leaving.signal }).catch((e: Error) => e.name);
    const second = post(gw.url, query, { variables: { r: range } });
    try {
      await waitFor('the anomaly analysis waiting on the lock', async () => {
        const { rows } = await gw.app.database!.healthPool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'logpulse-gateway' AND wait_event_type = 'Lock'`,
        );
        return rows[0]!.n > 0;
      });
      leaving.abort();
      expect(await first).toBe('AbortError');
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await admin.query('ROLLBACK');
    }
    const answer = await second;
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toMatchObject({ anomalies: { bucketSeconds: 60 } });
  });
});
