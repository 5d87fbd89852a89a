// Access control: the dashboard token on /, /graphql (HTTP) and the WebSocket; ingest tokens bound
// to services; security headers and CSP; the CORS allow-list; production refusing weak tokens.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createTestStorage, type TestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, subscribe, waitLive, wsClient, type LogStreamData } from '../live/support.ts';
import { waitFor } from './support.ts';

const DASHBOARD_TOKEN = 'dash-7f3a9c21e8b54d06';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const QUERY = JSON.stringify({ query: '{ __typename }' });

describe('DASHBOARD_TOKEN guards the dashboard and /graphql', () => {
  let gw: TestGateway;
  let webDist: string;
  beforeAll(async () => {
    webDist = await mkdtemp(join(tmpdir(), 'logpulse-web-'));
    await writeFile(join(webDist, 'index.html'), '<!doctype html><title>dashboard-marker</title>');
    gw = await startTestGateway('postgres', { env: { DASHBOARD_TOKEN, WEB_DIST: webDist } });
  });
  afterAll(async () => {
    await gw?.close();
    await rm(webDist, { recursive: true, force: true });
  });

  const post = (headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: QUERY });

  it('asks browsers for the token (401 + WWW-Authenticate: Basic) and serves the dashboard with it', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: basic('me', 'wrong') },
      { authorization: 'Bearer wrong' },
      { authorization: basic(DASHBOARD_TOKEN, '') },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${gw.url}/`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="logpulse"/);
      expect(await res.text()).not.toContain('dashboard-marker');
    }
    for (const authorization of [basic('anyone', DASHBOARD_TOKEN), `Bearer ${DASHBOARD_TOKEN}`]) {
      const res = await fetch(`${gw.url}/logs/explorer`, { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('dashboard-marker');
    }
  });

  it('puts security headers and a CSP that only allows our own scripts on dashboard responses', async () => {
    const res = await fetch(`${gw.url}/`, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('keeps the CSP compatible with the app: its page has no inline scripts', async () => {
    // The policy forbids inline scripts, so the page must not rely on one (web/index.html is the
    // page Vite builds; an inline theme or config script here would break the app under the CSP).
    const page = await readFile(fileURLToPath(new URL('../../../web/index.html', import.meta.url)), 'utf8');
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc=/);
      expect(body!.trim()).toBe('');
    }
    expect(page).not.toMatch(/\son[a-z]+=/i);
  });

  it('refuses /graphql over HTTP without the token, accepts Bearer or Basic, and lets CORS preflights through', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { authorization: basic('x', 'nope') }];
    for (const headers of attempts) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    }
    const graphiql = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(401);
    for (const authorization of [`Bearer ${DASHBOARD_TOKEN}`, basic('', DASHBOARD_TOKEN)]) {
      const res = await post({ authorization });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    }
    const preflight = await fetch(`${gw.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://elsewhere', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).not.toBe(401);
  });

  it('leaves health checks and ingest (its own token) open to their callers', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    expect((await gw.ingest(jsonLines([record({ path: '/open' })]))).status).toBe(200);
  });

  it('accepts the WebSocket with the token in connectionParams or in the upgrade request’s Authorization header, and closes it (4401) otherwise (a wrong header: refused at the upgrade)', async () => {
    const closeOf = (options: Parameters<typeof wsClient>[1]) =>
      new Promise<{ code: number; reason: string }>((resolve) =>
        subscribe(wsClient(gw.url, { ...options, onClosed: resolve }), LOG_STREAM),
      );
    expect((await closeOf({})).code).toBe(4401);
    expect((await closeOf({ connectionParams: { token: 'wrong' } })).code).toBe(4401);

    /** A ws WebSocket that sends an Authorization header with its handshake, as a browser does after Basic auth. */
    const withHeader = (authorization: string) =>
      class extends WebSocket {
        constructor(address: string | URL, protocols?: string | string[]) {
          super(address, protocols, { headers: { authorization } });
        }
      };
    // A wrong header is refused at the upgrade itself (HTTP 401, see cross-site.test.ts): no socket, so 1006.
    expect((await closeOf({ webSocketImpl: withHeader(basic('me', 'wrong')) })).code).toBe(1006);

    for (const options of [
      { connectionParams: { authorization: `Bearer ${DASHBOARD_TOKEN}` } },
      { webSocketImpl: withHeader(basic('me', DASHBOARD_TOKEN)) },
    ]) {
      const client = wsClient(gw.url, options);
      const live = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { service: 'ws-auth' } });
      await waitLive(live);
      const path = `/ws/${Math.random()}`;
      await gw.ingest(jsonLines([record({ service: 'ws-auth', path })]));
      await waitFor('the record on the authorised socket', () => logsOf(live).some((l) => l.path === path));
      await client.dispose();
    }
  });
});

describe('ingest tokens bound to services (INGEST_TOKENS)', () => {
  const TOKEN_A = 'svc-a-token-5d1e0c9b7a';
  const TOKEN_B = 'svc-b-token-84f2e6a1c3';
  let storage: TestStorage;
  let gw: TestGateway;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    gw = await startTestGateway('postgres', { storage, keepStorage: true, env: { INGEST_TOKENS: `svc-a:${TOKEN_A},svc-b:${TOKEN_B}` } });
  });
  afterAll(async () => {
    await gw?.close();
    await storage?.drop();
  });

  const as = (token: string, records: object[], query = '') => gw.ingest(jsonLines(records), { authorization: `Bearer ${token}` }, query);
  const services = async () =>
    (
      await gw.app.database!.pool.query<{ service: string; n: number }>(
        'SELECT service, count(*)::int AS n FROM logs GROUP BY service ORDER BY service',
      )
    ).rows;

  it('stores a bound token’s records under its service, refuses other services, and keeps INGEST_TOKEN working for any', async () => {
    expect(await (await as(TOKEN_A, [record({ path: '/a1' }), record({ path: '/a2' })])).json()).toMatchObject({
      accepted: 2,
      rejected: 0,
    });
    expect((await as(TOKEN_A, [record({ path: '/a3' })], '?service=svc-a')).status).toBe(200);

    const wrongRoute = await as(TOKEN_A, [record({ path: '/sneaky' })], '?service=svc-b');
    expect(wrongRoute.status).toBe(403);
    expect((await wrongRoute.json()).error).toContain('svc-a');

    // A record naming another service is refused (dead-lettered) while its neighbours are stored.
    const mixed = await as(TOKEN_A, [
      record({ path: '/a4' }),
      record({ path: '/b-claimed', service: 'svc-b' }),
      record({ path: '/a5', service: 'svc-a' }),
    ]);
    const body = await mixed.json();
    expect(body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(body.errors[0].reason).toContain('bound to "svc-a"');

    expect(await (await as(TOKEN_B, [record({ path: '/b1' })])).json()).toMatchObject({ accepted: 1 });
    expect((await as('svc-a-token-5d1e0c9b7', [record({ path: '/x' })])).status).toBe(401);
    expect((await as(TEST_TOKEN, [record({ path: '/any', service: 'svc-z' })])).status).toBe(200);

    expect(await services()).toEqual([
      { service: 'svc-a', n: 5 },
      { service: 'svc-b', n: 1 },
      { service: 'svc-z', n: 1 },
    ]);
    const dead = await gw.app.database!.pool.query<{ reason: string }>('SELECT reason FROM dead_letters');
    expect(dead.rows.map((r) => r.reason)).toEqual(['service: "svc-b" is not allowed for this token (it is bound to "svc-a")']);
  });

  it('revokes a token by removing it from the configuration', async () => {
    await gw.close();
    gw = await startTestGateway('postgres', { storage, keepStorage: true, env: { INGEST_TOKENS: `svc-a:${TOKEN_A}` } });
    expect((await as(TOKEN_B, [record({ path: '/b2' })])).status).toBe(401);
    expect((await as(TOKEN_A, [record({ path: '/a6' })])).status).toBe(200);
  });
});

describe('CORS allow-list (CORS_ORIGINS)', () => {
  let gw: TestGateway;
  let closed: TestGateway;
  beforeAll(async () => {
    [gw, closed] = await Promise.all([
      startTestGateway('postgres', { env: { CORS_ORIGINS: 'https://dash.example.com,https://ops.example.com' } }),
      startTestGateway('postgres'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gw?.close(), closed?.close()]);
  });

  const preflight = (url: string, origin: string) =>
    fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  const simple = (url: string, origin: string) =>
    fetch(`${url}/graphql`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: QUERY });

  it('allows listed origins (with credentials) and no one else', async () => {
    for (const origin of ['https://dash.example.com', 'https://ops.example.com']) {
      const pre = await preflight(gw.url, origin);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
      expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
      expect((await simple(gw.url, origin)).headers.get('access-control-allow-origin')).toBe(origin);
    }
    for (const origin of ['https://evil.example', 'https://dash.example.com.evil.example', 'null']) {
      expect((await preflight(gw.url, origin)).headers.get('access-control-allow-origin')).not.toBe(origin);
      expect((await simple(gw.url, origin)).headers.get('access-control-allow-origin')).not.toBe(origin);
      expect((await simple(gw.url, origin)).headers.get('access-control-allow-origin')).not.toBe('*');
    }
  });

  it('sends no CORS headers at all when no origin is configured (same-origin only)', async () => {
    for (const res of [await preflight(closed.url, 'https://dash.example.com'), await simple(closed.url, 'https://dash.example.com')]) {
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('production refuses to start with default or weak tokens', () => {
  const STRONG = '3b9f0a7c5e21d84f6a0b';
  const DASHBOARD = 'f0e1d2c3b4a5968778695a4b';
  const prod = (env: Record<string, string>) => () => loadConfig({ NODE_ENV: 'production', DASHBOARD_TOKEN: DASHBOARD, ...env });

  it('names the problem and never echoes the secret', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /INGEST_TOKEN \(or INGEST_TOKENS\) is required/],
      [{ INGEST_TOKEN: 'short-token' }, /INGEST_TOKEN is shorter than 16/],
      [{ INGEST_TOKEN: 'dev-0123456789abcdef0123' }, /INGEST_TOKEN is a generated dev token/],
      [{ INGEST_TOKEN: 'changeme-changeme-changeme' }, /INGEST_TOKEN looks like a placeholder/],
      [{ INGEST_TOKEN: 'aaaaaaaaaaaaaaaaaaaaaaaa' }, /too few distinct characters/],
      [{ INGEST_TOKEN: `${STRONG},your-token-goes-here-123` }, /INGEST_TOKEN entry 2 looks like a placeholder/],
      [{ INGEST_TOKENS: 'svc:tiny' }, /INGEST_TOKENS is shorter than 16/],
      [{ INGEST_TOKENS: 'no-colon-here' }, /INGEST_TOKENS entry 1: expected service:token/],
      [{ INGEST_TOKEN: STRONG, DASHBOARD_TOKEN: 'admin' }, /DASHBOARD_TOKEN is shorter than 16/],
    ];
    for (const [env, message] of cases) {
      expect(prod(env)).toThrow(message);
      try {
        prod(env)();
      } catch (error) {
        for (const secret of Object.values(env)) if (secret.length > 3) expect((error as Error).message).not.toContain(secret);
      }
    }
    expect(prod({ INGEST_TOKEN: STRONG }), 'a strong token passes').not.toThrow();
    expect(prod({ INGEST_TOKENS: `svc-a:${STRONG}` }), 'service tokens alone are enough').not.toThrow();
    expect(prod({ INGEST_TOKEN: STRONG })().graphqlIntrospection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).graphqlIntrospection).toBe(true);
  });

  it('exits with an error from the real entry point instead of starting', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../src/main.ts', import.meta.url))], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        INGEST_TOKEN: 'changeme-please-123',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: '',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('INGEST_TOKEN looks like a placeholder');
    expect(output).not.toContain('changeme-please-123');
    expect(output).not.toContain('gateway listening');
  });
});
