import { describe, expect, it } from 'vitest';
import { findBottlenecks, type EndpointLatency } from '../../src/insights/bottlenecks/rules.ts';

/** The bottleneck rules on hand-made endpoint figures, where every number is known. */

function endpoint(route: string, count: number, p95: number, avg = p95 / 2, method = 'GET', service = 'shop'): EndpointLatency {
  return { service, method, route, count, latency: { avg, p50: avg, p95, p99: p95 * 1.2, max: p95 * 2 } };
}

const rules = { p95ThresholdMs: 500, minRequests: 20 };

describe('findBottlenecks', () => {
  it('flags p95 over the threshold, with severity by how far over and evidence', () => {
    const found = findBottlenecks(
      [endpoint('/a', 100, 20), endpoint('/b', 100, 30), endpoint('/slow', 100, 1200, 800), endpoint('/crawl', 50, 2400, 1000)],
      [],
      rules,
    );
    // Equal severity ranks by share of request time: /slow spends 80 000 ms, /crawl 50 000 ms.
    expect(found.map((b) => [b.route, b.severity])).toEqual([
      // 2.4× the threshold: HIGH, plus ≥ 25 % of request time (80 000 of 132 500 ms): CRITICAL.
      ['/slow', 'CRITICAL'],
      // 2400 ms is 4.8× the threshold.
      ['/crawl', 'CRITICAL'],
    ]);
    const slow = found[0]!;
    // Half the service is slow, so the median (615 ms) is no yardstick: only the threshold applies.
    expect(slow.reasons).toEqual(['P95_OVER_THRESHOLD']);
    expect(slow.serviceMedianP95).toBe((30 + 1200) / 2);
    expect(slow.timeSpentMs).toBe(80_000);
    expect(slow.timeShare).toBeCloseTo(80_000 / (1000 + 1500 + 80_000 + 50_000), 10);
    expect(slow.evidence).toEqual(
      expect.arrayContaining([
        { label: 'p95 latency', value: 1200, unit: 'ms' },
        { label: 'p95 threshold', value: 500, unit: 'ms' },
        { label: 'requests', value: 100, unit: 'requests' },
      ]),
    );
    expect(slow.explanation).toContain('GET /slow (shop): p95 1,200 ms is 2.4× the 500 ms threshold');
  });

  it('flags a regression against the previous period, only with enough requests then', () => {
    // /bulk carries most of the request time, so /a's share stays under the 25 % that raises severity.
    const now = [endpoint('/a', 100, 300), endpoint('/b', 100, 40), endpoint('/c', 100, 300), endpoint('/bulk', 5000, 40)];
    const before = [endpoint('/a', 100, 100), endpoint('/b', 100, 10), endpoint('/c', 5, 50), endpoint('/bulk', 5000, 40)];
    const found = findBottlenecks(now, before, rules);
    // /b quadrupled but gained only 30 ms; /c had 5 requests before: not a baseline.
    expect(found.map((b) => b.route)).toEqual(['/a']);
    expect(found[0]).toMatchObject({ reasons: ['SLOWER_THAN_BEFORE'], baselineP95: 100, baselineCount: 100, severity: 'MEDIUM' });
    expect(found[0]!.explanation).toContain('3.0× its 100 ms in the previous period');
    expect(findBottlenecks(now, before, rules).find((b) => b.route === '/c')).toBeUndefined();
  });

  it('flags an endpoint far slower than the rest of its service, only in services with 3+ endpoints', () => {
    const service = [endpoint('/a', 100, 20), endpoint('/b', 100, 25), endpoint('/c', 100, 30), endpoint('/report', 100, 400)];
    const found = findBottlenecks(service, [], rules);
    expect(found.map((b) => [b.route, b.reasons, b.severity])).toEqual([['/report', ['SLOWER_THAN_SERVICE'], 'MEDIUM']]);
    expect(found[0]!.serviceMedianP95).toBe(27.5);
    // Two endpoints are no "service median".
    expect(findBottlenecks([endpoint('/a', 100, 20), endpoint('/report', 100, 400)], [], rules)).toEqual([]);
  });

  it('ignores endpoints with too few requests and returns nothing for healthy traffic', () => {
    expect(findBottlenecks([endpoint('/rare', 5, 9000), endpoint('/ok', 100, 40)], [], rules)).toEqual([]);
    expect(findBottlenecks([], [], rules)).toEqual([]);
  });
});
