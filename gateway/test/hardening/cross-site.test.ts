// Issue 21: what a page on another site, or an unauthenticated client, can do to the gateway
// through the browser's credentials and the WebSocket. Each case first reproduced the hole.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, subscribe, waitLive, wsClient, type LogStreamData } from '../live/support.ts';
import { waitFor } from './support.ts';

/** The outcome of a raw WebSocket handshake: open (then closed by us), or the HTTP status it was refused with. */
function handshake(url: string, headers: Record<string, string>): Promise<{ open: true } | { open: false; status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    socket.once('open', () => {
      socket.close();
      resolve({ open: true });
    });
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ open: false, status: res.statusCode ?? 0 });
    });
    socket.once('error', reject);
  });
}

/** A ws WebSocket class whose handshake carries the given headers (what a browser adds: Origin, saved Basic login). */
const withHeaders = (headers: Record<string, string>) =>
  class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  };

describe('cross-site WebSocket reads (issue 21.1)', () => {
  let gw: TestGateway;
  const ALLOWED = 'https://dashboard.example.org';

  beforeAll(async () => {
    // No DASHBOARD_TOKEN: the configuration in which a foreign page read every log.
    gw = await startTestGateway('postgres', { env: { CORS_ORIGINS: ALLOWED } });
  });
  afterAll(() => gw?.close());

  it('refuses an upgrade from a foreign Origin (403) and accepts same-origin, listed and Origin-less clients', async () => {
    const own = new URL(gw.url).origin;
    const cases: [string, Record<string, string>, boolean][] = [
      ['foreign page', { origin: 'https://evil.example.net' }, false],
      ['sandboxed page', { origin: 'null' }, false],
      ['same host, other port', { origin: 'http://127.0.0.1:1' }, false],
      ['same origin', { origin: own }, true],
      ['listed in CORS_ORIGINS', { origin: ALLOWED }, true],
      ['no Origin (not a browser)', {}, true],
    ];
    const outcomes: Record<string, unknown> = {};
    for (const [name, headers] of cases) outcomes[name] = await handshake(gw.url, headers);
    console.info(`[reliability] websocket origin check: ${JSON.stringify(outcomes)}`);
    for (const [name, , allowed] of cases) {
      expect(outcomes[name], name).toEqual(allowed ? { open: true } : { open: false, status: 403 });
    }
  });

  it('streams logs to a same-origin page and nothing to a foreign one', async () => {
    const own = wsClient(gw.url, { webSocketImpl: withHeaders({ origin: new URL(gw.url).origin }) });
    let foreignClosed: { code: number } | undefined;
    const foreign = wsClient(gw.url, {
      webSocketImpl: withHeaders({ origin: 'https://evil.example.net' }),
      onClosed: (event) => (foreignClosed = event),
    });
    const mine = subscribe<LogStreamData>(own, LOG_STREAM, { filter: { service: 'xsite' } });
    const theirs = subscribe<LogStreamData>(foreign, LOG_STREAM, { filter: { service: 'xsite' } });
    await waitLive(mine);
    await theirs.until('the foreign socket to fail', () => theirs.completed);
    const path = `/xsite/${Math.random()}`;
    expect((await gw.ingest(jsonLines([record({ service: 'xsite', path })]))).status).toBe(200);
    await waitFor('the record on the same-origin socket', () => logsOf(mine).some((l) => l.path === path));
    expect(theirs.data).toEqual([]);
    expect(foreignClosed?.code).not.toBe(1000);
    await Promise.all([own.dispose(), foreign.dispose()]);
  });

  it('refuses to start in production without DASHBOARD_TOKEN unless ALLOW_ANONYMOUS_DASHBOARD=true', () => {
    const base = { NODE_ENV: 'production', INGEST_TOKEN: '3b9f0a7c5e21d84f6a0b' };
    expect(() => loadConfig(base)).toThrow(/DASHBOARD_TOKEN is required in production/);
    expect(() => loadConfig({ ...base, ALLOW_ANONYMOUS_DASHBOARD: 'false' })).toThrow(/DASHBOARD_TOKEN is required/);
    expect(loadConfig({ ...base, ALLOW_ANONYMOUS_DASHBOARD: 'true' }).dashboardToken).toBeUndefined();
    expect(loadConfig({ ...base, DASHBOARD_TOKEN: 'f0e1d2c3b4a5968778695a4b' }).dashboardToken).toBeDefined();
    expect(() => loadConfig({ NODE_ENV: 'development' }), 'development stays open for local use').not.toThrow();
  });
});

describe('sockets that never send connection_init (issue 21.5)', () => {
  let gw: TestGateway;
  const DASHBOARD_TOKEN = 'ws-dashboard-token-9f8e7d6c';

  beforeAll(async () => {
    gw = await startTestGateway('postgres', {
      env: { DASHBOARD_TOKEN, WS_MAX_CONNECTIONS: '2', WS_MAX_UNINITIALISED: '6', WS_INIT_TIMEOUT_MS: '1500' },
    });
  });
  afterAll(() => gw?.close());

  /** A raw socket that completes the handshake and then says nothing. */
  const idleSocket = () =>
    new Promise<{ socket: WebSocket; closed: Promise<number> }>((resolve, reject) => {
      const socket = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
      socket.once('open', () => resolve({ socket, closed }));
      socket.once('error', reject);
    });

  it('does not let idle sockets take the slots of logged-in clients, and closes them after WS_INIT_TIMEOUT_MS', async () => {
    const idle = await Promise.all(Array.from({ length: 4 }, idleSocket));
    // Two logged-in clients (the whole WS_MAX_CONNECTIONS) still get in past four idle sockets.
    const clients = [0, 1].map(() => wsClient(gw.url, { connectionParams: { authorization: `Bearer ${DASHBOARD_TOKEN}` } }));
    const live = clients.map((client) => subscribe<LogStreamData>(client, LOG_STREAM, { filter: { service: 'idle-ws' } }));
    for (const l of live) await waitLive(l);
    const path = `/idle/${Math.random()}`;
    expect((await gw.ingest(jsonLines([record({ service: 'idle-ws', path })]))).status).toBe(200);
    for (const l of live) await waitFor('the record on each logged-in socket', () => logsOf(l).some((log) => log.path === path));

    // The cap still holds for initialised sockets: a third logged-in client is told to retry later.
    const third = await new Promise<{ code: number }>((resolve) =>
      subscribe(wsClient(gw.url, { connectionParams: { token: DASHBOARD_TOKEN }, onClosed: resolve }), LOG_STREAM),
    );
    expect(third.code).toBe(1013);

    // The idle sockets are closed by the server (4408: connection initialisation timeout).
    const codes = await Promise.all(idle.map((i) => i.closed));
    console.info(`[reliability] idle websocket close codes: ${codes.join(',')}; logged-in clients served: ${live.length}`);
    expect(codes).toEqual([4408, 4408, 4408, 4408]);
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('refuses a wrong Authorization header at the upgrade (401), before any socket exists', async () => {
    const basic = (password: string) => `Basic ${Buffer.from(`me:${password}`).toString('base64')}`;
    expect(await handshake(gw.url, { authorization: basic('wrong') })).toEqual({ open: false, status: 401 });
    expect(await handshake(gw.url, { authorization: `Bearer wrong` })).toEqual({ open: false, status: 401 });
    expect(await handshake(gw.url, { authorization: basic(DASHBOARD_TOKEN) })).toEqual({ open: true });
  });

  it('caps sockets awaiting connection_init (503 at the upgrade past WS_MAX_UNINITIALISED)', async () => {
    const idle = await Promise.all(Array.from({ length: 6 }, idleSocket));
    expect(await handshake(gw.url, {})).toEqual({ open: false, status: 503 });
    for (const i of idle) i.socket.terminate();
    await Promise.all(idle.map((i) => i.closed));
    await waitFor('a free slot for uninitialised sockets', async () => (await handshake(gw.url, {})).open);
  });
});

describe('cross-site form posts (issue 21.2)', () => {
  let gw: TestGateway;
  const DASHBOARD_TOKEN = 'form-dashboard-token-4c3b2a19';
  // What the browser adds to a foreign page's form post after the user logged in with Basic auth.
  const login = `Basic ${Buffer.from(`me:${DASHBOARD_TOKEN}`).toString('base64')}`;
  const MUTATION = 'mutation { analyzeRecentLogs(windowMinutes: 5) { id } }';

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { DASHBOARD_TOKEN } });
  });
  afterAll(() => gw?.close());

  const post = (contentType: string, body: BodyInit) =>
    fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { authorization: login, 'content-type': contentType, origin: 'https://evil.example.net' },
      body,
    });
  const insights = async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { authorization: login, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ aiInsights(first: 100) { edges { cursor } } }' }),
    });
    return ((await res.json()) as { data: { aiInsights: { edges: unknown[] } } }).data.aiInsights.edges.length;
  };

  it('refuses POSTs a <form> can send (text/plain, urlencoded, multipart) with 415, so no mutation runs', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: MUTATION }));
    form.set('map', '{}');
    const statuses = {
      'text/plain': (await post('text/plain', JSON.stringify({ query: MUTATION }))).status,
      urlencoded: (await post('application/x-www-form-urlencoded', new URLSearchParams({ query: MUTATION }).toString())).status,
      multipart: (await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { authorization: login }, body: form })).status,
    };
    console.info(`[reliability] cross-site form posts: ${JSON.stringify(statuses)}`);
    expect(statuses).toEqual({ 'text/plain': 415, urlencoded: 415, multipart: 415 });
    expect(await insights(), 'no insight was created').toBe(0);
  });

  it('never runs a mutation or a subscription from a GET (405)', async () => {
    const get = (query: string, accept = 'application/json') =>
      fetch(`${gw.url}/graphql?query=${encodeURIComponent(query)}`, { headers: { authorization: login, accept } });
    expect((await get(MUTATION)).status).toBe(405);
    const subscription = await get('subscription { logStream { dropped } }', 'text/event-stream');
    expect(subscription.status).toBe(405);
    await subscription.body?.cancel();
    expect(await insights()).toBe(0);
    expect((await get('{ aiInsights { edges { cursor } } }')).status, 'queries over GET still work').toBe(200);
  });

  it('runs the mutation for a JSON POST (which a foreign page can only send after a CORS preflight)', async () => {
    const res = await post('application/json; charset=utf-8', JSON.stringify({ query: MUTATION }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(await insights()).toBe(1);
  });
});
