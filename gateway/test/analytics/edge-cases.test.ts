import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';

/** Empty data gives zeros and empty lists (never a crash); bad arguments give clear BAD_USER_INPUT errors. */

const HOUR = 3_600_000;
const ALL_ANALYSES = `query($range: TimeRange!) {
  traffic(range: $range) { bucketSeconds points { bucket requests errors errorRate p95 latency { avg p99 max } } }
  endpointUsage(range: $range) { route count }
  errorDistribution(range: $range) { total errors errorRate byStatus { status } byClass { statusClass } }
  slowEndpoints(range: $range) { route p95 }
  statusEndpointTop(range: $range) { status }
  errorHeatmap(range: $range, tz: "Europe/Paris") { id }
  patterns(range: $range) { timeZone total peakHours byHour { hour requests share } byWeekday { weekday requests } methods { value } topUserAgents { value } topClientIps { value } topSample { rows of sampled exact } }
  endpointDetail(range: $range, route: "/api/none", method: "GET") { count errorRate avg p95 max series { requests p50 } statuses { status } topClients { value } topClientsSample { rows of sampled exact } recentErrors { id } }
  endpoints(range: $range) { route }
  services(range: $range) { service }
}`;

/** The parts of ALL_ANALYSES' answer that are read field by field; the rest is compared whole. */
interface AllAnalyses {
  traffic: { bucketSeconds: number; points: Record<string, unknown>[] };
  patterns: { byHour: { requests: number; share: number }[]; byWeekday: unknown[]; topSample: unknown };
  endpointDetail: { series: { requests: number; p50: number | null }[] };
  [analysis: string]: unknown;
}

describe.each(STORAGE_MODES)('analytics edge cases on %s', (mode) => {
  let gw: TestGateway;
  const range = { last: '6h' };

  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });

  afterAll(async () => {
    await gw?.close();
  });

  function expectEmpty(d: AllAnalyses) {
    expect(d.traffic.bucketSeconds).toBe(300);
    expect(d.traffic.points.length).toBeGreaterThanOrEqual(72);
    for (const p of d.traffic.points)
      expect(p).toMatchObject({ requests: 0, errors: 0, errorRate: 0, p95: null, latency: { avg: null, p99: null, max: null } });
    expect(d.endpointUsage).toEqual([]);
    expect(d.errorDistribution).toEqual({ total: 0, errors: 0, errorRate: 0, byStatus: [], byClass: [] });
    expect(d.slowEndpoints).toEqual([]);
    expect(d.statusEndpointTop).toEqual([]);
    expect(d.errorHeatmap).toEqual([]);
    expect(d.patterns).toMatchObject({ timeZone: 'UTC', total: 0, peakHours: [], methods: [], topUserAgents: [], topClientIps: [] });
    expect(d.patterns.topSample).toEqual({ rows: 0, of: 0, sampled: false, exact: true });
    expect(d.patterns.byHour).toHaveLength(24);
    expect(d.patterns.byHour.every((h) => h.requests === 0 && h.share === 0)).toBe(true);
    expect(d.patterns.byWeekday).toHaveLength(7);
    expect(d.endpointDetail).toMatchObject({
      count: 0,
      errorRate: 0,
      avg: null,
      p95: null,
      max: null,
      statuses: [],
      topClients: [],
      topClientsSample: { rows: 0, of: 0, sampled: false, exact: true },
      recentErrors: [],
    });
    expect(d.endpointDetail.series.every((p) => p.requests === 0 && p.p50 === null)).toBe(true);
    expect(d.endpoints).toEqual([]);
    expect(d.services).toEqual([]);
  }

  it('an empty database answers every analysis with zeros and empty lists', async () => {
    const res = await gw.graphql<AllAnalyses>(ALL_ANALYSES, { range });
    expect(res.errors).toBeUndefined();
    expectEmpty(res.data!);
    const logs = await gw.graphql('{ recentLogs { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }');
    expect(logs).toEqual({
      data: { recentLogs: { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } } },
    });
  });

  it('a range without data is empty even when other ranges have data', async () => {
    const now = Date.now();
    const record = { timestamp: new Date(now - 30 * 60_000).toISOString(), path: '/api/x', method: 'GET', status: 500, latency_ms: 12 };
    const res = await gw.ingest(jsonLines([record]));
    expect(res.status).toBe(200);
    const before = { from: new Date(now - 30 * HOUR).toISOString(), to: new Date(now - 24 * HOUR).toISOString() };
    const empty = await gw.graphql<AllAnalyses>(ALL_ANALYSES, { range: before });
    expect(empty.errors).toBeUndefined();
    expectEmpty(empty.data!);
    // …while the range holding the record sees it.
    const seen = await gw.graphql<{ errorDistribution: { total: number } }>(
      'query($range: TimeRange!) { errorDistribution(range: $range) { total } }',
      { range },
    );
    expect(seen.data?.errorDistribution.total).toBe(1);
  });

  it.each<[string, string, Record<string, unknown>, string, RegExp]>([
    ['limit above 1000', 'endpointUsage(range: $range, limit: 1001) { route }', {}, 'limit', /at most 1000/],
    ['limit of 0', 'slowEndpoints(range: $range, limit: 0) { route }', {}, 'limit', /at least 1/],
    ['negative limit', 'statusEndpointTop(range: $range, limit: -5) { status }', {}, 'limit', /at least 1/],
    ['unknown time zone', 'errorHeatmap(range: $range, tz: "Mars/Olympus_Mons") { id }', {}, 'tz', /IANA time zone/],
    ['offset instead of a zone', 'patterns(range: $range, tz: "+05:30") { total }', {}, 'tz', /IANA time zone/],
    ['sub-minute bucket', 'traffic(range: $range, bucket: "30s") { bucketSeconds }', {}, 'bucket', /whole number of minutes/],
    ['too many buckets', 'traffic(range: $range, bucket: "1m") { bucketSeconds }', { range: { last: '7d' } }, 'bucket', /10080 points/],
    ['bucket that is not a duration', 'traffic(range: $range, bucket: "often") { bucketSeconds }', {}, 'bucket', /not a duration/],
    [
      'range longer than retention',
      'traffic(range: $range) { bucketSeconds }',
      { range: { last: '500d' } },
      'range',
      /longer than 400 days/,
    ],
    [
      'range ending before it starts',
      'services(range: $range) { service }',
      { range: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' } },
      'range',
      /after/,
    ],
    ['empty route', 'endpointDetail(range: $range, route: " ", method: "GET") { count }', {}, 'route', /must not be empty/],
    [
      'endpointDetail limit',
      'endpointDetail(range: $range, route: "/a", method: "GET", limit: 5000) { count }',
      {},
      'limit',
      /at most 1000/,
    ],
  ])('rejects %s with BAD_USER_INPUT', async (_name, field, vars, argumentName, message) => {
    const res = await gw.graphql(`query($range: TimeRange!) { ${field} }`, { range, ...vars });
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    expect(res.errors?.[0]?.message).toMatch(message);
    expect(res.errors?.[0]?.message).toContain(argumentName);
  });

  it.each<[string, string, string, RegExp]>([
    ['first above 500', '{ recentLogs(first: 501) { edges { cursor } } }', 'first', /at most 500/],
    ['first of 0', '{ recentLogs(first: 0) { edges { cursor } } }', 'first', /at least 1/],
    ['a cursor that was never issued', '{ recentLogs(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }', 'after', /not a cursor/],
    ['statusClass outside 2..5', '{ recentLogs(filter: { statusClass: 7 }) { edges { cursor } } }', 'filter', /2, 3, 4 or 5/],
  ])('recentLogs rejects %s with BAD_USER_INPUT', async (_name, query, argumentName, message) => {
    const res = await gw.graphql(query);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it('an unknown sort is refused by GraphQL validation, naming the allowed values', async () => {
    const res = await gw.graphql('query($range: TimeRange!) { endpointUsage(range: $range, sort: FASTEST) { route } }', { range });
    expect(res.errors?.[0]?.message).toMatch(/EndpointSort/);
  });

  it('the default time zone comes from the TZ setting', async () => {
    const berlin = await startTestGateway(mode, { env: { TZ: 'Europe/Berlin' } });
    try {
      const res = await berlin.graphql<{ patterns: { timeZone: string } }>(
        'query($range: TimeRange!) { patterns(range: $range) { timeZone } }',
        { range },
      );
      expect(res.data?.patterns.timeZone).toBe('Europe/Berlin');
    } finally {
      await berlin.close();
    }
  });
});
