import { describe, expect, it } from 'vitest';
import type { DetectedAnomaly } from '../../src/insights/anomalies/rules.ts';
import { findBottlenecks } from '../../src/insights/bottlenecks/rules.ts';
import { isListRoute, recommend, type ClientFacts, type EndpointFacts } from '../../src/insights/recommendations/rules.ts';

/** Each recommendation rule on hand-made facts: when it fires, when it does not, and the ranking. */

function facts(route: string, over: Partial<EndpointFacts> = {}): EndpointFacts {
  return {
    service: 'shop',
    method: 'GET',
    route,
    count: 1000,
    share: 0.1,
    errors5xx: 0,
    notFound: 0,
    topServerStatus: null,
    latency: { avg: 20, p50: 15, p95: 40, p99: 60, max: 90 },
    sizes: null,
    ...over,
  };
}

const value = (evidence: { label: string; value: number }[], label: string) => evidence.find((e) => e.label === label)?.value;
const none = { bottlenecks: [], anomalies: [], clients: null };

describe('recommend', () => {
  it('caches a hot slow GET, not a rare one, a fast one or a write', () => {
    const slow = { avg: 400, p50: 300, p95: 1200, p99: 1500, max: 2000 };
    const recs = recommend({
      ...none,
      endpoints: [
        facts('/api/products', { share: 0.2, count: 2000, latency: slow }),
        facts('/api/rare', { share: 0.01, count: 100, latency: slow }),
        facts('/api/fast', { share: 0.3 }),
        facts('/api/orders', { method: 'POST', share: 0.2, latency: slow }),
      ],
    });
    const cache = recs.filter((r) => r.kind === 'CACHE_HOT_SLOW_GET');
    expect(cache.map((r) => r.route)).toEqual(['/api/products']);
    expect(cache[0]!.priority).toBe('CRITICAL');
    expect(value(cache[0]!.evidence, 'share of all requests')).toBe(20);
    expect(value(cache[0]!.evidence, 'p95 latency')).toBe(1200);
    expect(cache[0]!.detail).toContain('20.0% of all requests (2,000)');
  });

  it('investigates 5xx-heavy routes with counts and the commonest status', () => {
    const recs = recommend({
      ...none,
      endpoints: [
        facts('/api/pay', { count: 200, errors5xx: 120, topServerStatus: 503 }),
        facts('/api/ok', { count: 10_000, errors5xx: 30 }),
        facts('/api/few', { count: 20, errors5xx: 5 }),
      ],
    });
    const investigate = recs.filter((r) => r.kind === 'INVESTIGATE_5XX');
    expect(investigate.map((r) => r.route)).toEqual(['/api/pay']);
    expect(investigate[0]).toMatchObject({ priority: 'CRITICAL', affectedRequests: 120 });
    expect(value(investigate[0]!.evidence, '5xx rate')).toBe(60);
    expect(value(investigate[0]!.evidence, 'share of all 5xx responses')).toBeCloseTo((120 / 155) * 100, 2);
    expect(investigate[0]!.detail).toContain('120 of 200, mostly 503');
  });

  it('flags routes that mostly answer 404', () => {
    const recs = recommend({
      ...none,
      endpoints: [
        facts('/wp-login.php', { count: 40, notFound: 40, share: 0.004 }),
        facts('/api/users/:id', { count: 10_000, notFound: 500 }),
      ],
    });
    const fix = recs.filter((r) => r.kind === 'FIX_404_ROUTE');
    // 40 of 10 040 requests: a small share of traffic, so LOW.
    expect(fix.map((r) => [r.route, r.priority])).toEqual([['/wp-login.php', 'LOW']]);
    expect(value(fix[0]!.evidence, '404 share of this route')).toBe(100);
  });

  it('suggests pagination for large responses, or for slow lists when sizes are not logged', () => {
    expect(isListRoute('/api/products')).toBe(true);
    expect(isListRoute('/api/products/:id')).toBe(false);
    const recs = recommend({
      ...none,
      endpoints: [
        facts('/api/export/:id', { sizes: { sampled: 50, avgBytes: 2_000_000, p95Bytes: 3_000_000, maxBytes: 4_000_000 } }),
        facts('/api/small', {
          sizes: { sampled: 50, avgBytes: 2000, p95Bytes: 3000, maxBytes: 4000 },
          latency: { avg: 900, p50: 800, p95: 1500, p99: 2000, max: 3000 },
        }),
        facts('/api/orders', { latency: { avg: 700, p50: 600, p95: 1400, p99: 2000, max: 3000 } }),
        facts('/api/orders/:id', { latency: { avg: 700, p50: 600, p95: 1400, p99: 2000, max: 3000 } }),
      ],
    });
    const paginate = recs.filter((r) => r.kind === 'PAGINATE_LARGE_RESPONSES');
    expect(paginate.map((r) => [r.route, r.priority])).toEqual([
      ['/api/export/:id', 'HIGH'],
      ['/api/orders', 'MEDIUM'],
    ]);
    expect(value(paginate[0]!.evidence, 'average response size')).toBe(2_000_000);
    expect(paginate[0]!.detail).toContain('1.9 MB on average');
  });

  it('rate-limits a client with a large share of a big enough sample of several clients', () => {
    const clients: ClientFacts = {
      sampleSize: 1000,
      distinctClients: 40,
      sampleMinutes: 10,
      top: [
        { ip: '203.0.113.9', count: 600 },
        { ip: '203.0.113.10', count: 50 },
      ],
    };
    const recs = recommend({ ...none, endpoints: [], clients });
    expect(recs.map((r) => [r.kind, r.priority, r.title])).toEqual([
      ['RATE_LIMIT_CLIENT', 'HIGH', 'Rate-limit the noisy client 203.0.113.9'],
    ]);
    expect(value(recs[0]!.evidence, 'request rate')).toBe(60);
    // A lone client (a batch job talking to its own API) is not "noisy".
    expect(recommend({ ...none, endpoints: [], clients: { ...clients, distinctClients: 2 } })).toEqual([]);
    expect(recommend({ ...none, endpoints: [], clients: { ...clients, sampleSize: 100, top: [{ ip: 'x', count: 90 }] } })).toEqual([]);
  });

  it('turns latency anomalies into a look-at suggestion, skipping the overall one an endpoint explains', () => {
    const base: DetectedAnomaly = {
      kind: 'LATENCY',
      service: 'shop',
      method: 'GET',
      route: '/api/products',
      start: new Date('2026-11-25T10:00:00Z'),
      end: new Date('2026-11-25T10:05:00Z'),
      buckets: 5,
      bucketSeconds: 60,
      observed: 1900,
      baseline: 30,
      spread: 3,
      score: 600,
      direction: 'UP',
      severity: 'CRITICAL',
      baselineKind: 'TRAILING',
      baselineSamples: 60,
      baselineDescription: 'the previous 60 minutes',
      unit: 'ms',
      requests: 400,
      errors: 0,
      peakAt: new Date('2026-11-25T10:01:00Z'),
      explanation: 'p95 latency of GET /api/products reached 1,900 ms.',
      evidence: [],
    };
    const overall = { ...base, service: null, method: null, route: null, requests: 2000 };
    const elsewhere = {
      ...overall,
      start: new Date('2026-11-25T12:00:00Z'),
      end: new Date('2026-11-25T12:02:00Z'),
      severity: 'MEDIUM' as const,
    };
    const errors = { ...base, kind: 'ERROR_RATE' as const };
    const recs = recommend({ ...none, endpoints: [], anomalies: [base, overall, elsewhere, errors] });
    expect(recs.map((r) => [r.kind, r.route, r.priority])).toEqual([
      ['INVESTIGATE_LATENCY_ANOMALY', '/api/products', 'CRITICAL'],
      ['INVESTIGATE_LATENCY_ANOMALY', null, 'MEDIUM'],
    ]);
    expect(recs[0]!.title).toBe('Look at the latency jump of GET /api/products at 2026-11-25 10:00 UTC');
    expect(value(recs[0]!.evidence, 'duration')).toBe(5);
  });

  it('suggests speeding up bottlenecks that caching does not cover, and ranks everything', () => {
    const slowGet = facts('/api/products', { share: 0.3, count: 3000, latency: { avg: 500, p50: 400, p95: 1500, p99: 2000, max: 3000 } });
    const slowPost = facts('/api/checkout', {
      method: 'POST',
      share: 0.05,
      count: 500,
      latency: { avg: 700, p50: 600, p95: 1100, p99: 1500, max: 2000 },
    });
    const endpoints = [
      slowGet,
      slowPost,
      facts('/api/a'),
      facts('/api/b'),
      facts('/api/bad', { count: 300, errors5xx: 30, topServerStatus: 500 }),
    ];
    const bottlenecks = findBottlenecks(endpoints, [], { p95ThresholdMs: 500, minRequests: 20 });
    const recs = recommend({ endpoints, bottlenecks, anomalies: [], clients: null });
    expect(recs.map((r) => `${r.kind} ${r.method} ${r.route} ${r.priority}`)).toEqual([
      'CACHE_HOT_SLOW_GET GET /api/products CRITICAL',
      'OPTIMIZE_SLOW_ENDPOINT POST /api/checkout HIGH',
      // A slow list without logged sizes: maybe unbounded. Same priority as below, more requests.
      'PAGINATE_LARGE_RESPONSES GET /api/products MEDIUM',
      'INVESTIGATE_5XX GET /api/bad MEDIUM',
    ]);
    expect(value(recs[1]!.evidence, 'p95 threshold')).toBe(500);
  });
});
