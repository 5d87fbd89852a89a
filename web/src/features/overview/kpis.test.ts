// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { compareKpis, computeKpis } from './kpis.ts';

describe('overview KPIs', () => {
  const shop = { count: 300, errors: 30, endpointCount: 5, p95: 120 };
  const auth = { count: 100, errors: 0, endpointCount: 2, p95: 80 };

  it('adds up totals across services and uses the worst bucket p95 when several are in scope', () => {
    const k = computeKpis([shop, auth], [50, null, 210, 90], 3600);
    expect(k).toEqual({ requests: 400, perSecond: 400 / 3600, errorRate: 30 / 400, p95: 210, p95IsPeak: true, activeEndpoints: 7 });
  });

  it('uses the exact p95 with a single service', () => {
    expect(computeKpis([shop], [999], 60)).toMatchObject({ p95: 120, p95IsPeak: false, requests: 300 });
  });

  it('is empty but well-formed with no traffic', () => {
    expect(computeKpis([], [null, null], 300)).toEqual({ requests: 0, perSecond: 0, errorRate: null, p95: null, p95IsPeak: true, activeEndpoints: 0 });
  });

  it('compares with the previous period: relative for volumes, points for the error rate', () => {
    const now = computeKpis([shop, auth], [200], 3600);
    const before = computeKpis([{ ...shop, count: 200, errors: 10 }, auth], [100], 3600);
    const change = compareKpis(now, before);
    expect(change.requests).toBeCloseTo(400 / 300 - 1);
    expect(change.errorRate).toBeCloseTo(30 / 400 - 10 / 300);
    expect(change.p95).toBeCloseTo(1);
    expect(change.activeEndpoints).toBe(0);
    const none = compareKpis(now, computeKpis([], [], 3600));
    expect(none).toEqual({ requests: null, perSecond: null, errorRate: null, p95: null, activeEndpoints: null });
  });
});
