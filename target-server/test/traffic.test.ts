import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAT_SHAPE, runTraffic, startTargetServer, type AccessRecord, type TrafficResult } from '../src/index.ts';
import { readRecords, tempDir, waitFor } from './support.ts';


describe('traffic generator', () => {
  it('sends a realistic mix and scripts error, latency and spike incidents into the real access log', async () => {
    const log = join(tempDir(), 'access.log');
    const server = await startTargetServer({ port: 0, host: '127.0.0.1', accessLog: log, seed: 9 });
    const results: TrafficResult[] = [];
    try {
      const run = runTraffic({
        url: server.url,
        rate: 40,
        duration: '7s',
        seed: 11,
        shape: FLAT_SHAPE,
        followScenario: false,
        incidents: ['errors:/api/users:2s@2500ms', 'latency:/api/products:2s@2500ms', 'spike:3x:2s@2500ms'],
        onResult: (result) => results.push(result),
      });
      const summary = await run.done;
      expect(summary.failed).toBe(0);
      expect(summary.sent).toBeGreaterThan(200);

      const records = await waitFor(() => {
        const all = readRecords(log);
        return all.length >= summary.completed ? all : undefined;
      }, 'every request in the log');
      expect(records).toHaveLength(summary.completed);

      // The mix: mostly reads, some writes, a few 404s, every endpoint family.
      const methods = new Map<string, number>();
      for (const r of records) methods.set(r.method, (methods.get(r.method) ?? 0) + 1);
      expect(methods.get('GET')! / records.length).toBeGreaterThan(0.7);
      for (const method of ['POST', 'PUT', 'DELETE']) expect(methods.get(method) ?? 0).toBeGreaterThan(0);
      expect(records.some((r) => r.status === 201)).toBe(true);
      expect(records.some((r) => r.status === 404)).toBe(true);
      expect(new Set(records.map((r) => r.ip_address)).size).toBeGreaterThan(20);
      expect(records.every((r) => /^[0-9a-f-]{36}$/.test(r.request_id))).toBe(true);

      // Incident window [start+2.5s, start+4.5s) on the generator's clock: join what it sent (request id,
      // send time) with what the server logged, so a stalled event loop cannot blur the window.
      const sentAt = new Map(results.map((r) => [r.requestId, r.sentAt]));
      const windowStart = Date.parse(summary.startedAt) + 2500;
      const windowEnd = windowStart + 2000;
      const sentInWindow = (r: AccessRecord) => {
        const at = sentAt.get(r.request_id) ?? -1;
        return at >= windowStart && at < windowEnd;
      };
      const inside = records.filter(sentInWindow);
      const outside = records.filter((r) => !sentInWindow(r));
      const users = (list: AccessRecord[]) => list.filter((r) => r.path.startsWith('/api/users'));
      const products = (list: AccessRecord[]) => list.filter((r) => r.path.startsWith('/api/products'));
      const share500 = (list: AccessRecord[]) => list.filter((r) => r.status === 500).length / Math.max(1, list.length);
      const median = (list: AccessRecord[]) => {
        const sorted = list.map((r) => r.latency_ms).sort((a, b) => a - b);
        return sorted[Math.floor(sorted.length / 2)] ?? 0;
      };

      expect(users(inside).length).toBeGreaterThan(30);
      expect(share500(users(inside))).toBeGreaterThan(0.4);
      expect(share500(users(outside))).toBe(0);
      expect(median(products(inside))).toBeGreaterThan(850);
      expect(median(products(outside))).toBeLessThan(500);
      // Spike: 3× the rate for 2 s of a 7 s run.
      expect(inside.length / 2).toBeGreaterThan(2 * (outside.length / 5));
      // And the log places those requests at the scripted time.
      for (const r of inside) {
        expect(Date.parse(r.timestamp)).toBeGreaterThanOrEqual(windowStart - 50);
        expect(Date.parse(r.timestamp)).toBeLessThan(windowEnd + 5000);
      }

      // The generator reports what it scripted; the server logged the same request ids.
      const faulted = results.filter((r) => r.fault.status === 500);
      expect(faulted.length).toBeGreaterThan(10);
      const byId = new Map(records.map((r) => [r.request_id, r]));
      for (const result of faulted) expect(byId.get(result.requestId)?.status).toBe(500);
    } finally {
      await server.stop();
    }
  });

  it('reports an unreachable server as failed requests, not a crash', async () => {
    const run = runTraffic({ url: 'http://127.0.0.1:9', rate: 50, duration: 500, seed: 1, shape: FLAT_SHAPE, followScenario: false });
    const summary = await run.done;
    expect(summary.sent).toBeGreaterThan(0);
    expect(summary.failed).toBe(summary.sent);
  });

  it('stops on demand and rejects bad options', async () => {
    const run = runTraffic({ url: 'http://127.0.0.1:9', rate: 5, seed: 1, followScenario: false });
    const summary = await run.stop();
    expect(summary.endedAt).toBeDefined();
    expect(() => runTraffic({ rate: -1 })).toThrow(/rate/);
    expect(() => runTraffic({ url: 'ftp://x' })).toThrow(/http/);
    expect(() => runTraffic({ incidents: ['errors:/api/users:2m@-1h'], followScenario: false })).toThrow(/backfill/);
  });
});
