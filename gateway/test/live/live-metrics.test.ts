import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantile, HistogramBuilder } from '../../src/storage/histogram.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { record, sseClient, subscribe, waitFor, wsClient, type Received } from './support.ts';

const LIVE_METRICS = /* GraphQL */ `
  subscription Metrics($interval: Int!, $service: String) {
    liveMetrics(intervalSeconds: $interval, service: $service) {
      windowStart windowEnd service requests requestsPerSecond errors4xx errors5xx errorRate serverErrorRate
      avgLatencyMs p50LatencyMs p95LatencyMs p99LatencyMs maxLatencyMs activeEndpoints
    }
  }
`;

interface Metrics {
  windowStart: string;
  windowEnd: string;
  service: string | null;
  requests: number;
  requestsPerSecond: number;
  errors4xx: number;
  errors5xx: number;
  errorRate: number;
  serverErrorRate: number;
  avgLatencyMs: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p99LatencyMs: number | null;
  maxLatencyMs: number | null;
  activeEndpoints: number;
}
type MetricsData = { liveMetrics: Metrics };

const windows = (r: Received<MetricsData>) => r.data.map((d) => d.liveMetrics);
const total = (r: Received<MetricsData>, key: 'requests' | 'errors4xx' | 'errors5xx') => windows(r).reduce((n, m) => n + m[key], 0);

/** 40 requests to 3 endpoints of one service: 6 answered 404, 4 answered 500, latencies 1..40 ms. */
const checkout = Array.from({ length: 40 }, (_, i) =>
  record({
    service: 'checkout',
    path: ['/api/cart', '/api/pay', `/api/orders/${i}`][i % 3]!,
    status: i < 6 ? 404 : i < 10 ? 500 : 200,
    latency_ms: i + 1,
  }),
);
const noise = Array.from({ length: 7 }, (_, i) => record({ service: 'noise', path: `/n/${i}`, status: 200, latency_ms: 1000 }));

describe.each(STORAGE_MODES)('liveMetrics (%s)', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('emits figures consistent with what was ingested, every interval, over WebSocket and SSE', async () => {
    const client = wsClient(gw.url);
    const perService = subscribe<MetricsData>(client, LIVE_METRICS, { interval: 2, service: 'checkout' });
    const overall = subscribe<MetricsData>(sseClient(gw.url), LIVE_METRICS, { interval: 1 });
    await waitFor('the first windows', () => perService.data.length > 0 && overall.data.length > 0);

    // One batch each: a batch arrives at once, so it lands in a single window.
    expect((await gw.ingest(jsonLines(checkout))).status).toBe(200);
    expect((await gw.ingest(jsonLines(noise))).status).toBe(200);
    await waitFor('the checkout window', () => total(perService, 'requests') === 40);
    await waitFor('both services in the overall windows', () => total(overall, 'requests') === 47);
    expect(perService.errors).toEqual([]);

    const w = windows(perService).find((m) => m.requests > 0)!;
    expect(w).toMatchObject({ service: 'checkout', requests: 40, errors4xx: 6, errors5xx: 4, errorRate: 0.25, serverErrorRate: 0.1, activeEndpoints: 3 });
    expect(Date.parse(w.windowEnd) - Date.parse(w.windowStart)).toBe(2000);
    expect(Date.parse(w.windowStart) % 2000).toBe(0);
    expect(w.requestsPerSecond).toBe(20);
    expect(w.avgLatencyMs).toBeCloseTo(20.5, 6);
    expect(w.maxLatencyMs).toBe(40);
    // The same histogram the analyses read: p95 of 1..40 ms within its 3.8 % bound.
    const h = new HistogramBuilder();
    checkout.forEach((r) => h.add(r.latency_ms));
    expect(w.p95LatencyMs).toBe(quantile(h.toSparse(), 0.95, 40));
    expect(Math.abs(w.p95LatencyMs! - 38) / 38).toBeLessThan(0.04);

    // Windows are contiguous: each starts where the previous ended.
    for (const r of [perService, overall]) {
      const ws = windows(r);
      for (let i = 1; i < ws.length; i++) expect(ws[i]!.windowStart).toBe(ws[i - 1]!.windowEnd);
    }
    expect(windows(overall).every((m) => m.service === null)).toBe(true);
    expect(total(overall, 'errors5xx')).toBe(4);

    // Ticks keep coming while nothing happens, with zeros and null latencies.
    const seen = overall.data.length;
    await waitFor('another tick', () => overall.data.length > seen + 1);
    const quiet = windows(overall).at(-1)!;
    expect(quiet).toMatchObject({ requests: 0, errorRate: 0, p95LatencyMs: null, activeEndpoints: 0 });

    perService.unsubscribe();
    overall.unsubscribe();
    await client.dispose();
  });

  it('refuses an interval outside 1..300 s with BAD_USER_INPUT', async () => {
    const client = wsClient(gw.url);
    const bad = subscribe<MetricsData>(client, LIVE_METRICS, { interval: 0 });
    await waitFor('the error', () => bad.errors.length > 0);
    expect(JSON.stringify(bad.errors)).toContain('intervalSeconds must be between 1 and 300');
    expect(JSON.stringify(bad.errors)).toContain('BAD_USER_INPUT');
    await client.dispose();
  });
});
