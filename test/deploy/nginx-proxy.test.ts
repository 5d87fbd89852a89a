// The web container's nginx configuration, for real: Debian's nginx on loopback in front of a
// running gateway (real PostgreSQL), with a query, an ingest (gzip json_lines, as Fluent Bit sends
// it), a graphql-ws subscription and an SSE subscription passing through it.
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { jsonLines, startTestGateway, TEST_TOKEN, type TestGateway } from '@logpulse/gateway/test-support/gateway';
import { findNginx, type RunningNginx, startNginx } from './nginx.ts';

const nginxBinary = findNginx();
if (!nginxBinary) console.warn('test/deploy/nginx-proxy: nginx is not installed (apt-get install -y nginx): skipping the proxy tests');

const INDEX = '<!doctype html><title>logpulse dashboard build</title><div id="root"></div>';

function accessRecord(path: string, status = 200): Record<string, unknown> {
  return {
    timestamp: new Date().toISOString(),
    method: 'GET',
    path,
    status,
    latency_ms: 12.5,
    user_agent: 'nginx-proxy-test',
    ip_address: '192.0.2.10',
    service: 'proxy-test',
  };
}

async function ingestThrough(url: string, records: Record<string, unknown>[], token = TEST_TOKEN): Promise<Response> {
  return fetch(`${url}/log/ingest`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
      'user-agent': 'Fluent-Bit',
    },
    body: gzipSync(jsonLines(records)),
  });
}

/** Polls `check` until it returns a value (generous: a loaded 2-core machine). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!nginxBinary)('nginx (deploy/nginx) in front of a running gateway', () => {
  let gateway: TestGateway;
  let proxy: RunningNginx;
  let restricted: RunningNginx;

  beforeAll(async () => {
    gateway = await startTestGateway('postgres');
    const upstream = new URL(gateway.url).host;
    const webFiles = { 'index.html': INDEX, 'assets/app-3f2a.js': 'console.log("dashboard")' };
    proxy = await startNginx(nginxBinary!, { gateway: upstream, webFiles });
    // As on AWS server 2: ingest only from the machine itself (it arrives through the internal NLB).
    restricted = await startNginx(nginxBinary!, { gateway: upstream, ingestAllow: '192.0.2.1', webFiles });
  });

  afterAll(async () => {
    await proxy?.stop();
    await restricted?.stop();
    await gateway?.close();
  });

  it('serves the dashboard build, with client-side routes falling back to the app shell', async () => {
    const root = await fetch(`${proxy.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toBe(INDEX);
    expect(root.headers.get('cache-control')).toBe('no-cache');
    const route = await fetch(`${proxy.url}/endpoints/detail?route=%2Fapi%2Fusers`);
    expect(await route.text()).toBe(INDEX);
    const asset = await fetch(`${proxy.url}/assets/app-3f2a.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${proxy.url}/assets/missing.js`)).status).toBe(404);
  });

  it('passes health checks through to the gateway', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const [direct, proxied] = await Promise.all([fetch(`${gateway.url}${path}`), fetch(`${proxy.url}${path}`)]);
      expect(proxied.status, path).toBe(direct.status);
      expect(proxied.status, path).toBe(200);
    }
  });

  it('passes a gzip json_lines ingest and a GraphQL query through', async () => {
    const path = `/api/proxy/${randomUUID()}`;
    const res = await ingestThrough(proxy.url, [accessRecord(path), accessRecord(path, 500)]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: 0 });

    const query = await fetch(`${proxy.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ health { status database } pipelineHealth(range: {last: "1h"}) { accepted } }' }),
    });
    expect(query.status).toBe(200);
    const body = (await query.json()) as { data: { health: { status: string; database: string }; pipelineHealth: { accepted: number } } };
    expect(body.data.health).toEqual({ status: 'ok', database: 'postgres' });
    expect(body.data.pipelineHealth.accepted).toBe(2);
  });

  it('keeps the gateway answers: a bad ingest token is a 401 from the gateway, not from nginx', async () => {
    const res = await ingestThrough(proxy.url, [accessRecord('/api/x')], 'wrong-token-0123456789');
    expect(res.status).toBe(401);
  });

  it('delivers a graphql-ws subscription over the WebSocket upgrade', async () => {
    const path = `/api/live/${randomUUID()}`;
    const client: Client = createClient({ url: `${proxy.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const batches: { logs: { path: string; status: number }[] }[] = [];
    let failure: unknown;
    const unsubscribe = client.subscribe<{ logStream: { logs: { path: string; status: number }[] } }>(
      { query: 'subscription { logStream(filter: {service: "proxy-test"}) { logs { path status } dropped } }' },
      {
        next: (result) => {
          if (result.data) batches.push(result.data.logStream);
          if (result.errors) failure = result.errors;
        },
        error: (error) => (failure = error),
        complete: () => {},
      },
    );
    try {
      // The first (empty) batch confirms the subscription is live end to end.
      await eventually(async () => (batches.length > 0 || failure ? true : undefined), 'the first logStream batch');
      expect(failure).toBeUndefined();
      expect((await ingestThrough(proxy.url, [accessRecord(path, 503)])).status).toBe(200);
      const delivered = await eventually(
        async () => batches.flatMap((b) => b.logs).find((l) => l.path === path),
        'the ingested record on the WebSocket',
      );
      expect(delivered).toEqual({ path, status: 503 });
    } finally {
      unsubscribe();
      await client.dispose();
    }
  });

  it('streams a subscription over SSE through nginx as events happen', async () => {
    const path = `/api/sse/${randomUUID()}`;
    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { logStream(filter: {service: "proxy-test"}) { logs { path } } }' }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 20_000;
      while (!received.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`SSE stream did not deliver ${needle}; got: ${received.slice(0, 500)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`SSE stream ended before ${needle}`);
        received += decoder.decode(value, { stream: true });
      }
    };
    try {
      // The empty first batch arrives while the stream is still open: nginx is not buffering it.
      await readUntil('"logStream"');
      expect((await ingestThrough(proxy.url, [accessRecord(path)])).status).toBe(200);
      await readUntil(path);
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
    }
  });

  it('refuses ingest from addresses outside LOGPULSE_INGEST_ALLOW, while the dashboard API still works', async () => {
    const res = await ingestThrough(restricted.url, [accessRecord('/api/blocked')]);
    expect(res.status).toBe(403);
    const query = await fetch(`${restricted.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ health { status } }' }),
    });
    expect(await query.json()).toEqual({ data: { health: { status: 'ok' } } });
  });

  it("accepts chunks larger than nginx's 1 MB default body limit (Fluent Bit sends several MB)", async () => {
    // Random user agents keep the gzip body above 1 MB with few records.
    const records = Array.from({ length: 5_000 }, (_, i) => ({
      ...accessRecord(`/api/bulk/${i % 50}`),
      user_agent: randomBytes(240).toString('base64'),
    }));
    const body = gzipSync(jsonLines(records));
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await fetch(`${proxy.url}/log/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: records.length });
  });
});
