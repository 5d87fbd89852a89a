import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, droppedOf, logsOf, record, sseClient, subscribe, waitFor, waitLive, wsClient, type LogStreamData } from './support.ts';

/**
 * Subscribers with the same filter share one batch log, and those with the same operation share
 * one execution and one serialisation of each batch (gateway/src/live/shared-execution.ts).
 * These tests check what each subscriber receives is still exactly its own selection.
 */
const IDS_ONLY = /* GraphQL */ `
  subscription IdsOnly($filter: LogFilter) {
    logStream(filter: $filter) { logs { ref: id path } dropped }
  }
`;
const INLINE_ALPHA = /* GraphQL */ `
  subscription { logStream(filter: { service: "alpha" }) { dropped logs { path status } } }
`;

interface IdsOnlyData {
  logStream: { dropped: number; logs: { ref: string; path: string }[] };
}
interface InlineData {
  logStream: { dropped: number; logs: { path: string; status: number }[] };
}

describe('shared logStream fan-out', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('delivers three back-to-back batches of 4,000 records (one coalescing round, 12× the old queue) complete', async () => {
    const client = wsClient(gw.url);
    const all = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { service: 'bulk' } });
    const errors = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { service: 'bulk', statusClass: 5 } });
    await waitLive(all);
    await waitLive(errors);
    const bodies = [0, 1, 2].map((b) =>
      Array.from({ length: 4000 }, (_, i) => record({ service: 'bulk', path: `/bulk/${b}/${i}`, status: i % 10 === 0 ? 503 : 200 })),
    );
    for (const body of bodies) expect((await gw.ingest(jsonLines(body))).status).toBe(200);
    const sent = bodies.flat();
    await waitFor('every bulk record', () => logsOf(all).length + droppedOf(all) >= sent.length, 60_000);
    expect(droppedOf(all)).toBe(0);
    expect(logsOf(all).map((l) => l.path)).toEqual(sent.map((r) => r.path));
    await waitFor('every 5xx bulk record', () => logsOf(errors).length === sent.filter((r) => r.status >= 500).length);
    expect(logsOf(errors).map((l) => l.path)).toEqual(sent.filter((r) => r.status >= 500).map((r) => r.path));
    expect(droppedOf(errors)).toBe(0);
    // Each batch message respects the documented batch size.
    expect(Math.max(...all.data.map((d) => d.logStream.logs.length))).toBeLessThanOrEqual(250);
    await client.dispose();
  });

  it('gives every subscriber exactly its own filter and selection when executions are shared', async () => {
    const one = wsClient(gw.url);
    const two = wsClient(gw.url);
    const sse = sseClient(gw.url);
    const subs = {
      alphaA: subscribe<LogStreamData>(one, LOG_STREAM, { filter: { service: 'alpha' } }),
      alphaB: subscribe<LogStreamData>(one, LOG_STREAM, { filter: { service: 'alpha' } }),
      alphaOther: subscribe<LogStreamData>(two, LOG_STREAM, { filter: { service: 'alpha' } }),
      alphaIds: subscribe<IdsOnlyData>(two, IDS_ONLY, { filter: { service: 'alpha' } }),
      alphaInline: subscribe<InlineData>(two, INLINE_ALPHA),
      alphaSse: subscribe<LogStreamData>(sse, LOG_STREAM, { filter: { service: 'alpha' } }),
      serverErrors: subscribe<LogStreamData>(one, LOG_STREAM, { filter: { statusClass: 5, service: 'alpha' } }),
      betaX: subscribe<LogStreamData>(two, LOG_STREAM, { filter: { service: 'beta', pathContains: 'X' } }),
    };
    for (const s of Object.values(subs)) await s.until('the subscription to be live', () => s.data.length > 0 || s.errors.length > 0);
    for (const s of Object.values(subs)) expect(s.errors).toEqual([]);
    // Three distinct filters (the inline literal is the same filter as the variables).
    expect(gw.app.pubsub.stats()).toMatchObject({ logStreamSubscribers: 8, logStreamGroups: 3 });

    const batches = [0, 1, 2, 3].map((b) => [
      record({ service: 'alpha', path: `/a/${b}/ok`, status: 200 }),
      record({ service: 'alpha', path: `/a/${b}/fail`, status: 500 }),
      record({ service: 'beta', path: `/b/${b}/x-ray`, status: 200 }),
      record({ service: 'beta', path: `/b/${b}/plain`, status: 502 }),
      record({ service: 'gamma', path: `/g/${b}/x`, status: 503 }),
    ]);
    for (const batch of batches) expect((await gw.ingest(jsonLines(batch))).status).toBe(200);
    const sent = batches.flat();
    const paths = (keep: (r: (typeof sent)[number]) => boolean) => sent.filter(keep).map((r) => r.path);
    const alpha = paths((r) => r.service === 'alpha');

    const pathsOf = (s: { data: { logStream: { logs: { path: string }[] } }[] }) => s.data.flatMap((d) => d.logStream.logs.map((l) => l.path));
    const expected: Record<keyof typeof subs, string[]> = {
      alphaA: alpha,
      alphaB: alpha,
      alphaOther: alpha,
      alphaIds: alpha,
      alphaInline: alpha,
      alphaSse: alpha,
      serverErrors: paths((r) => r.service === 'alpha' && r.status >= 500),
      betaX: paths((r) => r.service === 'beta' && r.path.toLowerCase().includes('x')),
    };
    for (const [name, s] of Object.entries(subs)) {
      const want = expected[name as keyof typeof subs];
      await s.until(`${name} to receive its records`, () => pathsOf(s).length >= want.length);
      expect({ name, paths: pathsOf(s) }).toEqual({ name, paths: want });
    }
    // Each subscriber got the fields it asked for and no others, whoever executed the batch.
    const lastLog = (s: { data: { logStream: { logs: object[] } }[] }) => s.data.flatMap((d) => d.logStream.logs).at(-1)!;
    expect(Object.keys(lastLog(subs.alphaIds)).sort()).toEqual(['path', 'ref']);
    expect(Object.keys(lastLog(subs.alphaInline)).sort()).toEqual(['path', 'status']);
    expect(Object.keys(lastLog(subs.alphaA)).sort()).toEqual(['id', 'ingestedAt', 'latencyMs', 'method', 'path', 'route', 'service', 'status', 'timestamp']);
    expect((lastLog(subs.alphaIds) as { ref: string }).ref).toBe(logsOf(subs.alphaA).at(-1)!.id);

    for (const s of Object.values(subs)) s.unsubscribe();
    await Promise.all([one.dispose(), two.dispose()]);
    sse.dispose();
    await waitFor('every subscriber and group to be gone', () => {
      const stats = gw.app.pubsub.stats();
      return stats.logStreamSubscribers === 0 && stats.logStreamGroups === 0;
    });
  });

  it('sends a shared payload as a text frame that differs between subscribers only in the message id', async () => {
    const socket = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const frames: { text: string; binary: boolean }[] = [];
    socket.on('message', (data, binary) => frames.push({ text: String(data), binary }));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const send = (message: object) => socket.send(JSON.stringify(message));
    send({ type: 'connection_init' });
    await waitFor('connection_ack', () => frames.some((f) => f.text.includes('connection_ack')));
    const payload = { query: LOG_STREAM, variables: { filter: { service: 'raw' } } };
    send({ id: 'first', type: 'subscribe', payload });
    send({ id: 'second-with-a-longer-id', type: 'subscribe', payload });
    const nexts = (id: string) => frames.filter((f) => f.text.startsWith(`{"id":${JSON.stringify(id)},"type":"next"`));
    await waitFor('both subscriptions live', () => nexts('first').length > 0 && nexts('second-with-a-longer-id').length > 0);

    expect((await gw.ingest(jsonLines([record({ service: 'raw', path: '/raw/1' }), record({ service: 'raw', path: '/raw/2' })]))).status).toBe(200);
    await waitFor('the batch on both', () => nexts('first').length > 1 && nexts('second-with-a-longer-id').length > 1);
    const [a, b] = [nexts('first')[1]!, nexts('second-with-a-longer-id')[1]!];
    expect(a.binary).toBe(false);
    expect(b.binary).toBe(false);
    expect(b.text).toBe(a.text.replace('"id":"first"', '"id":"second-with-a-longer-id"'));
    const parsed = JSON.parse(a.text) as { id: string; type: string; payload: { data: LogStreamData } };
    expect(parsed).toMatchObject({ id: 'first', type: 'next' });
    expect(parsed.payload.data.logStream.logs.map((l) => l.path)).toEqual(['/raw/1', '/raw/2']);

    send({ id: 'first', type: 'complete' });
    send({ id: 'second-with-a-longer-id', type: 'complete' });
    socket.close();
    await waitFor('the raw subscribers to be gone', () => gw.app.pubsub.stats().logStreamSubscribers === 0);
  });
});
