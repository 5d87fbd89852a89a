import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_RECORD_KEYS, startTargetServer, type RunningTargetServer } from '../src/index.ts';
import { readRecords, tempDir, waitFor, waitForRecords } from './support.ts';

let server: RunningTargetServer;
let log: string;
beforeEach(async () => {
  log = join(tempDir(), 'logs', 'access.log');
  server = await startTargetServer({ port: 0, host: '127.0.0.1', accessLog: log, service: 'shop-api', simulateWork: false });
});
afterEach(() => server.stop());

describe('access log', () => {
  it('writes one line per request with exactly the contract keys', async () => {
    const response = await fetch(`${server.url}/api/users?limit=2&offset=1`, { headers: { 'user-agent': 'test-agent/1.0' } });
    const body = await response.text();
    await fetch(`${server.url}/api/nowhere`);
    const [first, second] = await waitForRecords(log, 2);

    expect(Object.keys(first!)).toEqual([...ACCESS_RECORD_KEYS]);
    expect(first).toMatchObject({
      method: 'GET',
      path: '/api/users?limit=2&offset=1',
      status: 200,
      user_agent: 'test-agent/1.0',
      ip_address: '127.0.0.1',
      bytes: Buffer.byteLength(body),
      service: 'shop-api',
    });
    expect(first!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(first!.timestamp) - Date.now())).toBeLessThan(60_000);
    expect(first!.latency_ms).toBeGreaterThan(0);
    expect(first!.request_id).toBe(response.headers.get('x-request-id'));
    expect(first!.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toMatchObject({ path: '/api/nowhere', status: 404 });
  });

  it('measures latency: /api/slow?ms=200 logs at least 200 ms', async () => {
    await fetch(`${server.url}/api/slow?ms=200`);
    const [record] = await waitForRecords(log, 1);
    expect(record!.latency_ms).toBeGreaterThanOrEqual(200);
    expect(record!.status).toBe(200);
  });

  it('takes the client address from the first X-Forwarded-For hop and keeps a caller request id', async () => {
    await fetch(`${server.url}/api/products/1`, { headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.2, 10.0.0.3', 'x-request-id': 'abc-123' } });
    await fetch(`${server.url}/api/products/1`, { headers: { 'x-forwarded-for': 'garbage', 'x-request-id': 'bad id with spaces' } });
    const [forwarded, garbage] = await waitForRecords(log, 2);
    expect(forwarded).toMatchObject({ ip_address: '203.0.113.7', request_id: 'abc-123' });
    expect(garbage!.ip_address).toBe('127.0.0.1');
    expect(garbage!.request_id).not.toBe('bad id with spaces');
  });

  it('logs "-" for a missing user agent, 0 bytes for 204, and the POST status', async () => {
    const created = await fetch(`${server.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Grace', email: 'grace@example.com' }),
    });
    const { id } = (await created.json()) as { id: number };
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/api/users/${id}`, { method: 'DELETE' }, (res) => res.resume().on('end', resolve));
      req.on('error', reject).end();
    });
    const [post, del] = await waitForRecords(log, 2);
    expect(post).toMatchObject({ method: 'POST', status: 201 });
    expect(del).toMatchObject({ method: 'DELETE', status: 204, bytes: 0, user_agent: '-' });
  });

  it('logs 499 when the client hangs up before the answer', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}/api/slow?ms=3000`, { signal: controller.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await pending;
    const record = await waitFor(() => readRecords(log)[0], 'the aborted request line');
    expect(record).toMatchObject({ path: '/api/slow?ms=3000', status: 499, bytes: 0 });
    expect(record.latency_ms).toBeLessThan(3000);
  });

  it('escapes odd characters so every line stays one JSON object', async () => {
    await fetch(`${server.url}/api/users/1?q=%22%0A`, { headers: { 'user-agent': 'evil"\\agent' } });
    const [record] = await waitForRecords(log, 1);
    expect(record!.user_agent).toBe('evil"\\agent');
    expect(record!.path).toBe('/api/users/1?q=%22%0A');
  });
});
