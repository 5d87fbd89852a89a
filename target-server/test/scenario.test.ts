import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FLAT_SHAPE, runTraffic, ScenarioController, startTargetServer, type RunningTargetServer } from '../src/index.ts';
import { readRecords, tempDir, waitFor } from './support.ts';

let server: RunningTargetServer;
let log: string;
beforeEach(async () => {
  log = join(tempDir(), 'access.log');
  server = await startTargetServer({ port: 0, host: '127.0.0.1', accessLog: log, simulateWork: false, seed: 42 });
});
afterEach(() => server.stop());

async function setScenario(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function statuses(path: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(server.url + path);
    await response.arrayBuffer();
    out.push(response.status);
  }
  return out;
}

const share = (list: number[], status: number): number => list.filter((s) => s === status).length / list.length;

describe('scenarios', () => {
  it('focused-failure makes the chosen endpoint mostly 500 and leaves the others alone', async () => {
    const started = await setScenario({ name: 'focused-failure', endpoints: ['/api/products'], errorRate: 0.9 });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ name: 'focused-failure', endpoints: ['/api/products'], errorRate: 0.9, endsAt: null });
    expect((await fetch(`${server.url}/scenario`).then((r) => r.json())) as unknown).toMatchObject({ name: 'focused-failure' });

    expect(share(await statuses('/api/products/1', 60), 500)).toBeGreaterThan(0.7);
    expect(share(await statuses('/api/users/1', 30), 200)).toBe(1);

    await setScenario({ name: 'normal' });
    expect(share(await statuses('/api/products/1', 20), 200)).toBe(1);
  });

  it('high-errors turns a share of all API requests into 404s and 500s', async () => {
    await setScenario({ name: 'high-errors', errorRate: 0.6 });
    const seen = await statuses('/api/users/2', 80);
    expect(share(seen, 500)).toBeGreaterThan(0.15);
    expect(share(seen, 404)).toBeGreaterThan(0.15);
    expect(share(seen, 200)).toBeGreaterThan(0.2);
  });

  it('latency slows the chosen endpoints, as the access log measures', async () => {
    await setScenario({ name: 'latency', endpoints: ['/api/users'], latencyMs: 300 });
    await statuses('/api/users/1', 3);
    await statuses('/api/products/1', 3);
    const records = await waitFor(() => {
      const all = readRecords(log).filter((r) => r.path.startsWith('/api/'));
      return all.length >= 6 ? all : undefined;
    }, 'six API lines');
    for (const r of records.filter((r) => r.path === '/api/users/1')) expect(r.latency_ms).toBeGreaterThanOrEqual(210);
    for (const r of records.filter((r) => r.path === '/api/products/1')) expect(r.latency_ms).toBeLessThan(200);
  });

  it('spike multiplies the rate of a generator that follows the server', async () => {
    await setScenario({ name: 'spike', multiplier: 5 });
    const run = runTraffic({ url: server.url, rate: 20, duration: 2000, seed: 3, shape: FLAT_SHAPE, followScenario: server.scenario });
    const summary = await run.done;
    // 20 req/s × 5 for 2 s ≈ 200; without the spike it would be ≈ 40.
    expect(summary.sent).toBeGreaterThan(120);
  });

  it('spike reaches a generator in another process through GET /scenario polling', async () => {
    await setScenario({ name: 'spike', multiplier: 5 });
    const run = runTraffic({ url: server.url, rate: 20, duration: 2000, seed: 4, shape: FLAT_SHAPE, followScenario: true, scenarioPollMs: 100 });
    const summary = await run.done;
    expect(summary.sent).toBeGreaterThan(110);
    const polls = readRecords(log).filter((r) => r.path === '/scenario' && r.user_agent.startsWith('logpulse-traffic'));
    expect(polls.length).toBeGreaterThan(3);
  });

  it('rejects invalid scenarios with 400 and non-JSON posts with 415', async () => {
    expect((await setScenario({ name: 'meltdown' })).status).toBe(400);
    const bad = await setScenario({ name: 'latency', latencyMs: -5 });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/latencyMs/);
    expect((await setScenario({ name: 'focused-failure', endpoints: ['no-slash'] })).status).toBe(400);
    expect((await setScenario({ name: 'spike', duration: 'forever' })).status).toBe(400);
    const form = await fetch(`${server.url}/scenario`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"name":"spike"}' });
    expect(form.status).toBe(415);
    expect(server.scenario.current().name).toBe('normal');
  });

  it('serves a control page that escapes what it reflects', async () => {
    await setScenario({ name: 'focused-failure', endpoints: ['/api/<script>alert(1)</script>'] });
    const response = await fetch(`${server.url}/`);
    const html = await response.text();
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    expect(html).toContain('focused-failure');
    expect(html).toContain('/api/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    for (const name of ['high-errors', 'focused-failure', 'latency', 'spike']) expect(html).toContain(`data-scenario="${name}"`);
  });
});

describe('ScenarioController', () => {
  it('reverts a timed scenario to normal once it ends', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const controller = new ScenarioController(() => now);
    const changes: string[] = [];
    controller.onChange((state) => changes.push(state.name));
    const state = controller.start({ name: 'spike', multiplier: 4, duration: '5m' });
    expect(state).toMatchObject({ name: 'spike', multiplier: 4, endsAt: '2026-01-01T00:05:00.000Z' });
    expect(controller.rateMultiplier()).toBe(4);
    now += 4 * 60_000;
    expect(controller.current().name).toBe('spike');
    now += 60_000;
    expect(controller.current().name).toBe('normal');
    expect(controller.rateMultiplier()).toBe(1);
    expect(changes).toEqual(['spike', 'normal']);
  });

  it('accepts a duration in seconds and applies defaults', () => {
    const controller = new ScenarioController(() => 0);
    expect(controller.start({ name: 'latency', duration: 90 })).toMatchObject({ latencyMs: 1200, endpoints: ['*'], endsAt: new Date(90_000).toISOString() });
  });
});
