import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTargetServer, type RunningTargetServer } from '../src/index.ts';
import { tempDir } from './support.ts';

let server: RunningTargetServer;
beforeEach(async () => {
  server = await startTargetServer({ port: 0, host: '127.0.0.1', accessLog: join(tempDir(), 'access.log'), simulateWork: false });
});
afterEach(() => server.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
}

describe('demo API', () => {
  for (const [resource, valid, invalid] of [
    ['users', { name: 'Ada', email: 'ada@example.com' }, { name: 'Ada', email: 'nope' }],
    ['products', { name: 'Lamp', price: 12.5 }, { name: 'Lamp', price: -3 }],
  ] as const) {
    it(`serves CRUD for /api/${resource} with 201, 200, 204 and 404`, async () => {
      const list = await call('GET', `/api/${resource}`);
      expect(list.status).toBe(200);
      expect((list.json?.items as unknown[]).length).toBe(20);
      expect(list.json?.total).toBeGreaterThan(20);

      const created = await call('POST', `/api/${resource}`, valid);
      expect(created.status).toBe(201);
      const id = created.json?.id as number;
      expect(created.headers.get('location')).toBe(`/api/${resource}/${id}`);
      expect(created.json).toMatchObject(valid);

      expect((await call('GET', `/api/${resource}/${id}`)).json).toMatchObject({ id, ...valid });
      const replaced = await call('PUT', `/api/${resource}/${id}`, { ...valid, name: 'Renamed' });
      expect(replaced.status).toBe(200);
      expect(replaced.json?.name).toBe('Renamed');

      expect((await call('DELETE', `/api/${resource}/${id}`)).status).toBe(204);
      expect((await call('GET', `/api/${resource}/${id}`)).status).toBe(404);
      expect((await call('DELETE', `/api/${resource}/${id}`)).status).toBe(404);
      expect((await call('PUT', `/api/${resource}/${id}`, valid)).status).toBe(404);
      expect((await call('GET', `/api/${resource}/not-a-number`)).status).toBe(404);
    });

    it(`rejects bad /api/${resource} bodies with 400 and a readable message`, async () => {
      const bad = await call('POST', `/api/${resource}`, invalid);
      expect(bad.status).toBe(400);
      expect(bad.json?.error).toMatch(new RegExp(`^Invalid ${resource.slice(0, -1)}: (email|price)`));
      expect(bad.json?.issues).toEqual([expect.objectContaining({ path: expect.stringMatching(/email|price/) })]);

      const missing = await call('POST', `/api/${resource}`, {});
      expect(missing.status).toBe(400);
      expect(missing.json?.error).toContain('name is required');

      const unknownKey = await call('POST', `/api/${resource}`, { ...valid, admin: true });
      expect(unknownKey.status).toBe(400);

      const notJson = await call('POST', `/api/${resource}`, '{"name":');
      expect(notJson.status).toBe(400);
      expect(notJson.json?.error).toMatch(/not valid JSON/);

      expect((await call('PUT', `/api/${resource}/1`, invalid)).status).toBe(400);
      expect((await call('GET', `/api/${resource}?limit=0`)).status).toBe(400);
    });
  }

  it('pages lists with limit and offset', async () => {
    const page = await call('GET', '/api/products?limit=5&offset=10');
    expect(page.json).toMatchObject({ limit: 5, offset: 10 });
    expect((page.json?.items as { id: number }[]).map((item) => item.id)).toEqual([11, 12, 13, 14, 15]);
  });

  it('answers the error endpoints with their status and unknown routes with 404', async () => {
    expect((await call('GET', '/api/error/500')).status).toBe(500);
    expect((await call('GET', '/api/error/404')).status).toBe(404);
    expect((await call('GET', '/api/orders')).status).toBe(404);
  });

  it('delays /api/slow by ?ms= and validates it', async () => {
    const slow = await call('GET', '/api/slow?ms=50');
    expect(slow.status).toBe(200);
    expect(slow.json).toEqual({ delayed_ms: 50 });
    expect((await call('GET', '/api/slow?ms=abc')).status).toBe(400);
    expect((await call('GET', '/api/slow?ms=999999')).status).toBe(400);
  });

  it('honours and validates the X-Fault-* headers', async () => {
    const failed = await call('GET', '/api/users', undefined, { 'x-fault-status': '503' });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('x-fault-injected')).toBe('header');
    const wrong = await call('GET', '/api/users', undefined, { 'x-fault-status': '200' });
    expect(wrong.status).toBe(400);
    expect(wrong.json?.error).toMatch(/X-Fault-Status/);
    expect((await call('GET', '/api/users', undefined, { 'x-fault-delay-ms': '-1' })).status).toBe(400);
  });

  it('ignores the X-Fault-* headers when they are turned off', async () => {
    const strict = await startTargetServer({ port: 0, host: '127.0.0.1', accessLog: join(tempDir(), 'a.log'), faultHeaders: false, simulateWork: false });
    try {
      const response = await fetch(`${strict.url}/api/users/1`, { headers: { 'x-fault-status': '500' } });
      expect(response.status).toBe(200);
    } finally {
      await strict.stop();
    }
  });
});
