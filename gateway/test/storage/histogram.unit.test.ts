import { describe, expect, it } from 'vitest';
import { bucketKey, bucketValue, GAMMA, HistogramBuilder, MAX_KEY, mergeHistograms, quantile, summarizeLatency } from '../../src/storage/histogram.ts';
import { parseRecord } from '../../src/ingest/record.ts';
import { seededRandom as rng } from '@logpulse/testkit/random';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('latency histogram', () => {
  it('every value maps to a bucket whose representative is within (γ-1)/(γ+1) of it', () => {
    const bound = (GAMMA - 1) / (GAMMA + 1) + 1e-9;
    for (let v = 0.11; v < 100_000; v *= 1.013) {
      expect(Math.abs(bucketValue(bucketKey(v)) - v) / v).toBeLessThanOrEqual(bound);
    }
  });

  it('covers every latency ingest accepts (up to 24 h) with the same bound, each in its own bucket', () => {
    const bound = (GAMMA - 1) / (GAMMA + 1) + 1e-9;
    for (let v = 100_000; v <= 86_400_000; v *= 1.011) {
      expect(Math.abs(bucketValue(bucketKey(v)) - v) / v).toBeLessThanOrEqual(bound);
    }
    expect(Math.abs(bucketValue(bucketKey(86_400_000)) - 86_400_000) / 86_400_000).toBeLessThanOrEqual(bound);
    expect(bucketKey(86_400_000)).toBe(MAX_KEY);
    // The ingest bound and the histogram's agree: the longest accepted latency is in range.
    const base = { timestamp: '2026-11-25T10:00:00Z', path: '/x', method: 'GET', status: 200 };
    expect(parseRecord({ ...base, latency_ms: 86_400_000 }, { defaultService: 's', dateKey: 'date', zoneless: 'UTC', now: Date.parse(base.timestamp) }).ok).toBe(true);
    expect(parseRecord({ ...base, latency_ms: 86_400_001 }, { defaultService: 's', dateKey: 'date', zoneless: 'UTC', now: Date.parse(base.timestamp) }).ok).toBe(false);
  });

  it('reads 300 s and 600 s requests within 4 %', () => {
    const h = new HistogramBuilder();
    h.add(300_000);
    h.add(600_000);
    const s = summarizeLatency(h.toSparse(), 2, 900_000, 600_000);
    expect(Math.abs(s.p50! - 300_000) / 300_000).toBeLessThanOrEqual(0.04);
    expect(Math.abs(s.p95! - 600_000) / 600_000).toBeLessThanOrEqual(0.04);
    expect(Math.abs(s.p99! - 600_000) / 600_000).toBeLessThanOrEqual(0.04);
  });

  it.each([
    ['log-normal', (r: () => number) => Math.exp(3 + Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r()))],
    ['bimodal', (r: () => number) => (r() < 0.9 ? 5 + r() * 10 : 800 + r() * 400)],
    ['integers', (r: () => number) => Math.floor(r() * 300)],
  ])('p50/p95/p99 of %s data stay within 5%% after splitting and merging', (_name, draw) => {
    const r = rng(7);
    const values = Array.from({ length: 20_000 }, () => draw(r));
    const parts = [new HistogramBuilder(), new HistogramBuilder(), new HistogramBuilder()];
    values.forEach((v, i) => parts[i % 3]!.add(v));
    const merged = mergeHistograms(parts.map((p) => p.toSparse()));
    const sorted = [...values].sort((a, b) => a - b);
    const max = sorted[sorted.length - 1]!;
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(sorted, q);
      const estimate = quantile(merged, q, max)!;
      // Values at or below the histogram floor (0.1 ms) read as the floor.
      if (exact <= 0.1) expect(estimate).toBeLessThanOrEqual(0.1);
      else expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.05);
    }
    const s = summarizeLatency(merged, values.length, values.reduce((a, b) => a + b, 0), max);
    expect(s.max).toBe(max);
    expect(s.avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });

  it('handles empty histograms and caps estimates at the exact max', () => {
    expect(quantile({ keys: [], counts: [] }, 0.5)).toBeNull();
    expect(summarizeLatency({ keys: [], counts: [] }, 0, 0, null)).toEqual({ avg: null, p50: null, p95: null, p99: null, max: null });
    const h = new HistogramBuilder();
    h.add(100);
    expect(quantile(h.toSparse(), 0.99, 100)).toBeLessThanOrEqual(100);
  });
});
