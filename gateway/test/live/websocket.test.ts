import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, sseClient, subscribe, trackedWebSocket, waitFor, waitLive, wsClient, type LogStreamData } from './support.ts';

const DASHBOARD_TOKEN = 'dashboard-token-for-live-tests';
const METRICS = /* GraphQL */ `subscription { liveMetrics(intervalSeconds: 1) { requests } }`;

/** Resolves with the close event of a client whose connection the gateway refuses. */
function closeOf(url: string, connectionParams?: Record<string, unknown>) {
  return new Promise<{ code: number; reason: string }>((resolve) => {
    const client = wsClient(url, { connectionParams, onClosed: resolve });
    subscribe(client, LOG_STREAM);
  });
}

describe('socket auth (DASHBOARD_TOKEN set)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { DASHBOARD_TOKEN } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('closes a connection without the token with 4401 and a reason', async () => {
    const closed = await closeOf(gw.url);
    expect(closed.code).toBe(4401);
    expect(closed.reason).toContain('dashboard token');
  });

  it('closes a connection with a wrong token with 4401', async () => {
    for (const params of [{ authorization: 'Bearer nope' }, { token: 'nope' }, { token: `${DASHBOARD_TOKEN}x` }]) {
      const closed = await closeOf(gw.url, params);
      expect(closed).toEqual({ code: 4401, reason: 'Unauthorized: invalid dashboard token' });
    }
  });

  it('accepts the token as a Bearer authorization or as token', async () => {
    for (const params of [{ authorization: `Bearer ${DASHBOARD_TOKEN}` }, { token: DASHBOARD_TOKEN }, { headers: { Authorization: `Bearer ${DASHBOARD_TOKEN}` } }]) {
      const client = wsClient(gw.url, { connectionParams: params });
      const live = subscribe<LogStreamData>(client, LOG_STREAM);
      await waitLive(live);
      await gw.ingest(jsonLines([record({ path: '/authorised' })]));
      await waitFor('a record', () => logsOf(live).some((l) => l.path === '/authorised'));
      live.unsubscribe();
      await client.dispose();
    }
  });
});

describe('connection hygiene', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { WS_MAX_CONNECTIONS: '3', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3' } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const settled = (baseline: number) =>
    waitFor('every live listener to be removed', () => {
      const s = gw.app.pubsub.stats();
      return s.listeners === baseline && s.logStreamSubscribers === 0;
    });

  it('refuses a subscription past the per-connection limit, and allows it again after one completes', async () => {
    const client = wsClient(gw.url);
    const subs = [0, 1, 2].map(() => subscribe<LogStreamData>(client, LOG_STREAM));
    for (const s of subs) await waitLive(s);
    const extra = subscribe<LogStreamData>(client, LOG_STREAM);
    await waitFor('the refusal', () => extra.errors.length > 0);
    expect(JSON.stringify(extra.errors)).toContain('TOO_MANY_SUBSCRIPTIONS');
    subs[0]!.unsubscribe();
    await waitFor('the server to drop one', () => gw.app.pubsub.stats().logStreamSubscribers === 2);
    const again = subscribe<LogStreamData>(client, LOG_STREAM);
    await waitLive(again);
    await client.dispose();
    await settled(1);
  });

  it('closes connections past WS_MAX_CONNECTIONS with 1013 (try again later)', async () => {
    const clients = [0, 1, 2].map(() => wsClient(gw.url));
    for (const c of clients) await waitLive(subscribe<LogStreamData>(c, LOG_STREAM));
    let closed: { code: number; reason: string } | undefined;
    const fourth = wsClient(gw.url, { onClosed: (e) => (closed = e) });
    subscribe(fourth, LOG_STREAM);
    await waitFor('the fourth connection to be closed', () => closed !== undefined);
    expect(closed).toEqual({ code: 1013, reason: 'Too many live connections; try again later' });
    await clients[0]!.dispose();
    await waitFor('a free slot', () => gw.app.pubsub.stats().logStreamSubscribers === 2);
    const fifth = wsClient(gw.url);
    await waitLive(subscribe<LogStreamData>(fifth, LOG_STREAM));
    await Promise.all([...clients.slice(1), fifth].map((c) => c.dispose()));
    await settled(1);
  });

  it('a syntax error fails the operation, not the connection', async () => {
    const client = wsClient(gw.url);
    const broken = subscribe(client, 'subscription { logStream { ');
    await waitFor('the syntax error', () => broken.errors.length > 0);
    expect(JSON.stringify(broken.errors)).toContain('Syntax Error');
    await waitLive(subscribe<LogStreamData>(client, LOG_STREAM), 'a later subscription on the same connection');
    await client.dispose();
    await settled(1);
  });

  it('1,000 subscribe/unsubscribe cycles (WebSocket and SSE) leave no listener, queue or timer behind', async () => {
    const baseline = gw.app.pubsub.stats().listeners;
    expect(baseline).toBe(1); // the liveMetrics window's own
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timers();

    const client = wsClient(gw.url);
    const cycle = async (i: number) => {
      if (i % 2 === 0) {
        const s = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { service: `cycle-${i}` } });
        await waitLive(s);
        s.unsubscribe();
      } else {
        const s = subscribe(client, METRICS);
        await s.until('a metrics window', () => s.data.length > 0 || s.errors.length > 0);
        expect(s.errors).toEqual([]);
        s.unsubscribe();
      }
    };
    // Three at a time: the per-connection limit of this gateway.
    for (let i = 0; i < 960; i += 3) await Promise.all([cycle(i), cycle(i + 1), cycle(i + 2)]);
    const sse = sseClient(gw.url);
    for (let i = 0; i < 40; i++) {
      const s = subscribe<LogStreamData>(sse, LOG_STREAM);
      await waitLive(s);
      s.unsubscribe();
    }
    await settled(baseline);
    // Cycles ran while records flowed too: ingest still reaches a fresh subscriber.
    const last = subscribe<LogStreamData>(client, LOG_STREAM);
    await waitLive(last);
    await gw.ingest(jsonLines([record({ path: '/after-cycles' })]));
    await waitFor('a record after the cycles', () => logsOf(last).some((l) => l.path === '/after-cycles'));
    last.unsubscribe();
    await client.dispose();
    sse.dispose();
    await settled(baseline);
    expect(timers()).toBeLessThanOrEqual(timersBefore + 5);
  });

  it('removes the listeners of a client that vanishes without unsubscribing', async () => {
    const { impl, sockets } = trackedWebSocket();
    const client = wsClient(gw.url, { webSocketImpl: impl });
    const subs = [0, 1, 2].map(() => subscribe<LogStreamData>(client, LOG_STREAM));
    for (const s of subs) await waitLive(s);
    // Same filter: one group, one listener (plus the liveMetrics window's own) for three subscribers.
    expect(gw.app.pubsub.stats()).toMatchObject({ listeners: 2, logStreamSubscribers: 3, logStreamGroups: 1 });
    sockets[0]!.terminate();
    await settled(1);
    await client.dispose();
  });
});

describe('keep-alive', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { WS_KEEPALIVE_MS: '300' } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('terminates a socket that stops answering pings, and keeps the live ones', async () => {
    const { impl, sockets } = trackedWebSocket();
    const frozen = wsClient(gw.url, { webSocketImpl: impl });
    const healthy = wsClient(gw.url);
    const frozenSub = subscribe<LogStreamData>(frozen, LOG_STREAM);
    const healthySub = subscribe<LogStreamData>(healthy, LOG_STREAM);
    await waitLive(frozenSub);
    await waitLive(healthySub);
    // A paused socket reads nothing, so the pings go unanswered, like a vanished peer's.
    sockets[0]!.pause();
    await waitFor('the gateway to drop the frozen subscriber', () => gw.app.pubsub.stats().logStreamSubscribers === 1);
    // Several ping periods later the answering client is still served.
    await gw.ingest(jsonLines([record({ path: '/still-here' })]));
    await waitFor('the healthy client to get a record', () => logsOf(healthySub).some((l) => l.path === '/still-here'));
    healthySub.unsubscribe();
    await Promise.all([healthy.dispose(), frozen.dispose()]);
  });
});
