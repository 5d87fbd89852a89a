// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { groupAnomalies, groupRecommendations, type GroupableAnomaly, type GroupableRecommendation } from './grouping.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 10, minute)).toISOString();

function anomaly(over: Partial<GroupableAnomaly> & { id?: string }): GroupableAnomaly & { id: string } {
  return { id: 'x', kind: 'ERROR_RATE', severity: 'HIGH', service: null, method: null, route: null, start: at(0), end: at(3), ...over };
}

function rec(over: Partial<GroupableRecommendation>): GroupableRecommendation {
  return { kind: 'INVESTIGATE_5XX', priority: 'HIGH', service: 'shop', method: 'GET', route: '/a', affectedRequests: 10, ...over };
}

describe('groupAnomalies', () => {
  it('makes one incident of an outage seen overall, on its service and on each endpoint, led by the widest scope', () => {
    const list = [
      anomaly({ id: 'a', service: 'shop', method: 'GET', route: '/a', severity: 'CRITICAL' }),
      anomaly({ id: 'b', service: 'shop', method: 'POST', route: '/b', start: at(1), end: at(4) }),
      anomaly({ id: 'overall', severity: 'MEDIUM' }),
      anomaly({ id: 'svc', service: 'shop' }),
    ];
    const incidents = groupAnomalies(list);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident!.lead.id).toBe('overall');
    expect(incident!.affected.map((a) => a.id)).toEqual(['a', 'b', 'svc']);
    expect(incident!.severity).toBe('CRITICAL');
    expect([incident!.start, incident!.end]).toEqual([at(0), at(4)]);
  });

  it('keeps different kinds and separate windows apart, in the API’s order of their best member', () => {
    const list = [
      anomaly({ id: 'late-latency', kind: 'LATENCY', start: at(30), end: at(32) }),
      anomaly({ id: 'early-errors', start: at(0), end: at(2) }),
      anomaly({ id: 'late-errors', start: at(30), end: at(31) }),
      // Touching (end = start) is not overlapping.
      anomaly({ id: 'next-errors', start: at(2), end: at(3), route: '/x', method: 'GET', service: 's' }),
    ];
    expect(groupAnomalies(list).map((i) => [i.lead.id, ...i.affected.map((a) => a.id)])).toEqual([
      ['late-latency'],
      ['early-errors'],
      ['late-errors'],
      ['next-errors'],
    ]);
  });

  it('joins two incidents that a longer anomaly bridges', () => {
    const list = [
      anomaly({ id: 'first', route: '/a', method: 'GET', service: 's', start: at(0), end: at(2) }),
      anomaly({ id: 'second', route: '/b', method: 'GET', service: 's', start: at(5), end: at(7) }),
      anomaly({ id: 'bridge', start: at(1), end: at(6) }),
    ];
    const incidents = groupAnomalies(list);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.lead.id).toBe('bridge');
    expect(incidents[0]!.affected.map((a) => a.id)).toEqual(['first', 'second']);
  });

  it('returns nothing for nothing', () => {
    expect(groupAnomalies([])).toEqual([]);
  });
});

describe('groupRecommendations', () => {
  const slow = rec({ kind: 'OPTIMIZE_SLOW_ENDPOINT', priority: 'CRITICAL', route: '/slow', affectedRequests: 500 });
  const fiveXx = [rec({ route: '/a' }), rec({ route: '/b', priority: 'MEDIUM', affectedRequests: 5 }), rec({ route: '/c' })];

  it('gives one card per kind, listing its endpoints in the API’s order', () => {
    const groups = groupRecommendations([slow, ...fiveXx], []);
    expect(groups.map((g) => g.kind)).toEqual(['OPTIMIZE_SLOW_ENDPOINT', 'INVESTIGATE_5XX']);
    expect(groups[1]!.items.map((r) => r.route)).toEqual(['/a', '/b', '/c']);
    expect(groups[1]!.affectedRequests).toBe(25);
    expect(groups[1]!.priority).toBe('HIGH');
    expect(groups.every((g) => !g.live)).toBe(true);
  });

  it('ranks advice about a live incident above standing advice of higher priority', () => {
    const burst = anomaly({ service: 'shop', method: 'GET', route: '/b' });
    const groups = groupRecommendations([slow, ...fiveXx], [burst]);
    expect(groups.map((g) => [g.kind, g.live])).toEqual([
      ['INVESTIGATE_5XX', true],
      ['OPTIMIZE_SLOW_ENDPOINT', false],
    ]);
    // An overall error-rate anomaly concerns every endpoint.
    expect(groupRecommendations([slow, ...fiveXx], [anomaly({})])[0]!.kind).toBe('INVESTIGATE_5XX');
  });

  it('does not call it live when the anomaly is of another kind or another endpoint', () => {
    const latency = anomaly({ kind: 'LATENCY', service: 'shop', method: 'GET', route: '/a' });
    const elsewhere = anomaly({ service: 'shop', method: 'GET', route: '/zzz' });
    const otherService = anomaly({ service: 'auth' });
    expect(groupRecommendations([slow, ...fiveXx], [latency, elsewhere, otherService])[0]!.kind).toBe('OPTIMIZE_SLOW_ENDPOINT');
  });
});
