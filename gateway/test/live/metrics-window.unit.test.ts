import { describe, expect, it } from 'vitest';
import { HistogramBuilder, quantile } from '../../src/storage/histogram.ts';
import { eventSerializer } from '../../src/live/event-serializer.ts';
import { alignedBoundary, LiveMetricsWindow, type MeasuredRecord } from '../../src/live/metrics-window.ts';

const rec = (over: Partial<MeasuredRecord> = {}): MeasuredRecord => ({ service: 'shop', method: 'GET', route: '/a', status: 200, latencyMs: 10, ...over });

describe('LiveMetricsWindow', () => {
  it('sums whole seconds of arrivals per service, with error rates, histogram percentiles and endpoints', () => {
    let now = 1_000_000_000_000; // a whole second
    const w = new LiveMetricsWindow(10, () => now);
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    w.add(latencies.slice(0, 50).map((ms, i) => rec({ latencyMs: ms, status: i < 5 ? 500 : i < 15 ? 404 : 200, route: i % 2 ? '/a' : '/b' })));
    now += 1500;
    w.add(latencies.slice(50).map((ms) => rec({ latencyMs: ms, method: 'POST' })));
    w.add([rec({ service: 'other', latencyMs: 5000, status: 503 })]);

    const shop = w.summarize(1_000_000_000_000, 1_000_000_002_000, 'shop');
    expect(shop).toMatchObject({ requests: 100, requestsPerSecond: 50, errors4xx: 10, errors5xx: 5, errorRate: 0.15, serverErrorRate: 0.05, activeEndpoints: 3 });
    const h = new HistogramBuilder();
    latencies.forEach((ms) => h.add(ms));
    expect(shop.latency.p95).toBe(quantile(h.toSparse(), 0.95, 100));
    expect(shop.latency.max).toBe(100);
    expect(shop.latency.avg).toBeCloseTo(50.5, 9);

    const all = w.summarize(1_000_000_000_000, 1_000_000_002_000);
    expect(all).toMatchObject({ service: null, requests: 101, errors5xx: 6, activeEndpoints: 4 });
    // Windows are half-open: the first second alone holds only the first 50.
    expect(w.summarize(1_000_000_000_000, 1_000_000_001_000, 'shop').requests).toBe(50);
    expect(w.summarize(1_000_000_001_000, 1_000_000_002_000, 'shop').requests).toBe(50);
    expect(w.summarize(0, 1, 'nobody')).toMatchObject({ requests: 0, errorRate: 0, activeEndpoints: 0, latency: { p95: null, avg: null, max: null } });
  });

  it('forgets seconds older than it retains', () => {
    let now = 5_000_000;
    const w = new LiveMetricsWindow(3, () => now);
    w.add([rec()]);
    now += 10_000;
    w.add([rec()]);
    expect(w.summarize(0, now + 1000).requests).toBe(1);
  });

  it('aligns window boundaries to multiples of the interval', () => {
    expect(alignedBoundary(1_000_004_999, 5)).toBe(1_000_000_000);
    expect(alignedBoundary(1_000_005_000, 5)).toBe(1_000_005_000);
    expect(alignedBoundary(1_000_000_999, 1)).toBe(1_000_000_000);
  });
});

describe('eventSerializer (Redis fan-out)', () => {
  it('brings Dates back as Dates, wherever they are, and leaves look-alike strings alone', () => {
    const value = {
      records: [{ timestamp: new Date('2026-11-25T10:00:00.123Z'), path: '2026-11-25T10:00:00Z', extra: { nested: [new Date(0)] } }],
      n: 1,
      none: null,
    };
    const back = eventSerializer.parse(eventSerializer.stringify(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.records[0]!.timestamp).toBeInstanceOf(Date);
    expect(back.records[0]!.extra.nested[0]).toBeInstanceOf(Date);
    expect(typeof back.records[0]!.path).toBe('string');
  });
});
