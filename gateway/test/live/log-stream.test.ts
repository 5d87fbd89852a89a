import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { subscribeSse } from '@logpulse/testkit/sse';
import {
  LOG_STREAM,
  logsOf,
  droppedOf,
  record,
  sseClient,
  subscribe,
  waitFor,
  waitLive,
  wsClient,
  type LiveLog,
  type LogStreamData,
} from './support.ts';

/**
 * Four batches mixing services, statuses, methods and paths. The filter under test selects
 * shop's 5xx GET requests whose path contains "order"; the last batch ends with a matching
 * sentinel, so once it arrives everything before it has been delivered.
 */
function batches(tag: string) {
  const b1 = [
    record({ service: 'shop', path: `/api/orders/1?${tag}`, status: 500 }),
    record({ service: 'shop', path: `/api/orders/2?${tag}`, status: 200 }),
    record({ service: 'billing', path: `/api/orders/3?${tag}`, status: 503 }),
    record({ service: 'shop', path: `/api/ORDERS/4?${tag}`, status: 502, latency_ms: 120 }),
  ];
  const b2 = [
    record({ service: 'shop', path: `/api/orders/5?${tag}`, status: 500, method: 'POST' }),
    record({ service: 'shop', path: `/api/users/6?${tag}`, status: 500 }),
    record({ service: 'shop', path: `/api/orders/7?${tag}`, status: 404 }),
  ];
  const b3 = Array.from({ length: 30 }, (_, i) =>
    record({ service: 'shop', path: `/api/orders/${100 + i}?${tag}`, status: i % 3 === 0 ? 500 : 200 }),
  );
  const b4 = [
    record({ service: 'billing', path: `/api/orders/8?${tag}`, status: 500 }),
    record({ service: 'shop', path: `/api/orders/999?${tag}&sentinel`, status: 599 }),
  ];
  const all = [b1, b2, b3, b4];
  const matches = all
    .flat()
    .filter((r) => r.service === 'shop' && r.status >= 500 && r.method === 'GET' && r.path.toLowerCase().includes('order'));
  return { all, expectedPaths: matches.map((r) => r.path) };
}

const FILTER = { service: 'shop', statusClass: 5, method: 'get', pathContains: 'Order' };

function expectCommitOrder(logs: LiveLog[]) {
  const ids = logs.map((l) => BigInt(l.id));
  for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
}

describe.each(STORAGE_MODES)('logStream over graphql-ws (%s)', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('delivers exactly the matching records, in commit order, right after each batch commits', async () => {
    const client = wsClient(gw.url);
    const filtered = subscribe<LogStreamData>(client, LOG_STREAM, { filter: FILTER });
    const everything = subscribe<LogStreamData>(client, LOG_STREAM);
    await waitLive(filtered);
    await waitLive(everything);

    const { all, expectedPaths } = batches('ws');
    for (const batch of all) {
      const res = await gw.ingest(jsonLines(batch));
      expect(res.status).toBe(200);
    }
    await waitFor('the sentinel', () => logsOf(filtered).some((l) => l.path.endsWith('&sentinel')));
    await waitFor('every record on the unfiltered stream', () => logsOf(everything).length === all.flat().length);

    const got = logsOf(filtered);
    expect(got.map((l) => l.path)).toEqual(expectedPaths);
    expectCommitOrder(got);
    expect(droppedOf(filtered)).toBe(0);
    // The live record carries the same fields as a stored Log.
    const first = got[0]!;
    expect(first).toMatchObject({ service: 'shop', method: 'GET', route: '/api/orders/:id', status: 500, latencyMs: 5 });
    expect(new Date(first.timestamp).toISOString()).toBe(first.timestamp);
    expect(Date.parse(first.ingestedAt)).toBeGreaterThan(Date.now() - 60_000);

    const everyPath = logsOf(everything).map((l) => l.path);
    expect(everyPath).toEqual(all.flat().map((r) => r.path));
    expectCommitOrder(logsOf(everything));

    filtered.unsubscribe();
    everything.unsubscribe();
    await client.dispose();
  });
});

describe('logStream over SSE (Yoga, graphql-sse client)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('delivers exactly the matching records in commit order', async () => {
    const client = sseClient(gw.url);
    const filtered = subscribe<LogStreamData>(client, LOG_STREAM, { filter: FILTER });
    await waitLive(filtered);
    const { all, expectedPaths } = batches('sse');
    for (const batch of all) expect((await gw.ingest(jsonLines(batch))).status).toBe(200);
    await waitFor('the sentinel', () => logsOf(filtered).some((l) => l.path.endsWith('&sentinel')));
    expect(logsOf(filtered).map((l) => l.path)).toEqual(expectedPaths);
    expectCommitOrder(logsOf(filtered));
    filtered.unsubscribe();
    client.dispose();
    await waitFor('the SSE subscriber to be gone', () => gw.app.pubsub.stats().logStreamSubscribers === 0);
  });

  it('refuses a status class outside 2..5 with BAD_USER_INPUT, like recentLogs', async () => {
    const client = wsClient(gw.url);
    const bad = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { statusClass: 7 } });
    await bad.until('the refusal', () => bad.errors.length > 0);
    expect(JSON.stringify(bad.errors)).toContain('filter.statusClass: must be 2, 3, 4 or 5');
    expect(JSON.stringify(bad.errors)).toContain('BAD_USER_INPUT');
    await client.dispose();
  });

  it('refuses a status no HTTP response has, on recentLogs and logStream alike', async () => {
    // Found by the GraphQL fuzzer: 1820977904 reached PostgreSQL and failed as smallint overflow.
    const query = await gw.graphql('query($f: LogFilter) { recentLogs(first: 1, filter: $f) { edges { cursor } } }', {
      f: { status: 1820977904 },
    });
    expect(query.errors?.[0]).toMatchObject({
      message: 'filter.status: must be an HTTP status, 100 to 599',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const client = wsClient(gw.url);
    const bad = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { status: 99 } });
    await bad.until('the refusal', () => bad.errors.length > 0);
    expect(JSON.stringify(bad.errors)).toContain('filter.status: must be an HTTP status, 100 to 599');
    await client.dispose();
  });

  it('works with a plain fetch and accept: text/event-stream', async () => {
    const sse = await subscribeSse<LogStreamData>(gw.url, LOG_STREAM, { filter: { service: 'plain-sse' } });
    expect(sse.contentType).toContain('text/event-stream');
    const events = sse.events;
    await sse.until(() => events.length >= 1);
    await gw.ingest(jsonLines([record({ service: 'other', path: '/x' }), record({ service: 'plain-sse', path: '/api/ping' })]));
    await sse.until(() => events.some((e) => e.logStream.logs.length > 0));
    expect(events.flatMap((e) => e.logStream.logs.map((l) => l.path))).toEqual(['/api/ping']);
    sse.close();
    await waitFor('the SSE subscriber to be gone', () => gw.app.pubsub.stats().logStreamSubscribers === 0);
  });
});
