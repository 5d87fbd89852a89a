import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { endpointKey, expectLatency, expectStats, groupBy, inRange, localParts, stats, topValues, type Filter } from './brute-force.ts';
import { generateDataset, toWire, type GeneratedLog } from './dataset.ts';
import { latencyOf, readRollups, type RollupDimension, type RollupRow } from '../../src/storage/rollup-read.ts';

/**
 * Every analysis, over real HTTP ingest and real storage, compared field by field with a
 * brute-force computation over the generated records: counts, shares and rates exact,
 * percentiles within 5 %, max exact.
 */

const STATS =
  'count errors clientErrors serverErrors errorRate clientErrorRate serverErrorRate avg p50 p95 p99 max latency { avg p50 p95 p99 max }';
const MINUTE = 60_000;
const HOUR = 3_600_000;

const data = generateDataset({ seed: 20261125, count: 3000, now: Date.now() });
const range = { from: data.range.from.toISOString(), to: data.range.to.toISOString() };
const all = inRange(data.records, data.range);

type Row = Record<string, unknown>;
const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byEndpoint = (a: GeneratedLog, b: GeneratedLog) =>
  cmpText(a.service, b.service) || cmpText(a.method, b.method) || cmpText(a.route, b.route);
const keyOf = (r: Row) => endpointKey(r as { service: string; method: string; route: string });

/** Expected per-endpoint groups, each represented by its first record for the key fields. */
function endpoints(logs: GeneratedLog[]) {
  return [...groupBy(logs, endpointKey).values()].map((g) => ({ key: endpointKey(g[0]!), first: g[0]!, logs: g, stats: stats(g) }));
}

describe.each(STORAGE_MODES)('analytics on %s', (mode) => {
  let gw: TestGateway;

  async function q<T = Row>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await gw.graphql<T>(query, { range, ...variables });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!;
  }

  beforeAll(async () => {
    gw = await startTestGateway(mode);
    // In order, so stored ids follow `seq` (recentLogs breaks timestamp ties by id).
    for (let i = 0; i < data.records.length; i += 1000) {
      const chunk = data.records.slice(i, i + 1000);
      const res = await gw.ingest(jsonLines(toWire(chunk)));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: chunk.length, rejected: 0 });
    }
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('the dataset has what the comparisons rely on', () => {
    expect(all.length).toBeGreaterThan(2500);
    expect(all.length).toBeLessThan(data.records.length);
    expect(all.filter((l) => l.timestamp.getTime() - data.range.from.getTime() < MINUTE).length).toBeGreaterThanOrEqual(15);
    expect(all.filter((l) => data.range.to.getTime() - l.timestamp.getTime() <= MINUTE).length).toBeGreaterThanOrEqual(15);
    // slowEndpoints/P95 order is only meaningful if exact p95s are well apart.
    const p95s = endpoints(all)
      .map((e) => e.stats.latency.p95!)
      .sort((a, b) => a - b);
    for (let i = 1; i < p95s.length; i++) expect(p95s[i]! / p95s[i - 1]!).toBeGreaterThan(1.12);
  });

  describe('traffic', () => {
    const expectSeries = (points: Row[], logs: GeneratedLog[], stepMs: number) => {
      const from = data.range.from.getTime();
      const to = data.range.to.getTime();
      const starts: number[] = [];
      for (let t = Math.floor(from / stepMs) * stepMs; t < to; t += stepMs) starts.push(t);
      expect(points.map((p) => p.bucket)).toEqual(starts.map((t) => new Date(t).toISOString()));
      points.forEach((p, i) => {
        const start = starts[i]!;
        const inBucket = logs.filter((l) => l.timestamp.getTime() >= start && l.timestamp.getTime() < start + stepMs);
        expectStats(p, stats(inBucket), `bucket ${p.bucket}`, 'requests');
      });
    };

    it.each([
      ['15m', 15 * MINUTE],
      ['1h', HOUR],
      ['1m', MINUTE],
    ])('bucket %s: every bucket, zeros included, matches the records', async (bucket, stepMs) => {
      const d = await q<{ traffic: { bucketSeconds: number; range: Row; points: Row[] } }>(
        `query($range: TimeRange!, $bucket: String) { traffic(range: $range, bucket: $bucket) { bucketSeconds range { from to } points { bucket requests ${STATS.replace('count ', '')} } } }`,
        { bucket },
      );
      expect(d.traffic.bucketSeconds).toBe(stepMs / 1000);
      expect(d.traffic.range).toEqual(range);
      expectSeries(d.traffic.points, all, stepMs);
    });

    it('picks 5-minute buckets for a 4.5-hour range and honours the service filter', async () => {
      const d = await q<{ traffic: { bucketSeconds: number; points: Row[] } }>(
        `query($range: TimeRange!) { traffic(range: $range, service: "users", method: "delete") { bucketSeconds points { bucket requests ${STATS.replace('count ', '')} } } }`,
      );
      expect(d.traffic.bucketSeconds).toBe(300);
      expectSeries(d.traffic.points, inRange(data.records, data.range, { service: 'users', method: 'DELETE' }), 5 * MINUTE);
      expect(d.traffic.points.some((p) => p.requests === 0 && p.p95 === null && p.errorRate === 0)).toBe(true);
    });

    it('rounds an unaligned range to whole minutes (a minute counts when it starts inside the range)', async () => {
      const shifted = {
        from: new Date(data.range.from.getTime() + 20_000).toISOString(),
        to: new Date(data.range.to.getTime() + 20_000).toISOString(),
      };
      const d = await q<{ traffic: { range: Row; points: Row[] } }>(
        'query($range: TimeRange!) { traffic(range: $range, bucket: "1h") { range { from to } points { requests } } }',
        { range: shifted },
      );
      const effective = { from: new Date(data.range.from.getTime() + MINUTE), to: new Date(data.range.to.getTime() + MINUTE) };
      expect(d.traffic.range).toEqual({ from: effective.from.toISOString(), to: effective.to.toISOString() });
      const total = d.traffic.points.reduce((a, p) => a + (p.requests as number), 0);
      expect(total).toBe(inRange(data.records, effective).length);
    });
  });

  describe('endpoints', () => {
    it('endpointUsage: every endpoint, every figure, sorted by count', async () => {
      const d = await q<{ endpointUsage: Row[] }>(
        `query($range: TimeRange!) { endpointUsage(range: $range, limit: 1000) { service method route share ${STATS} } }`,
      );
      const expected = endpoints(all).sort((a, b) => b.stats.count - a.stats.count || byEndpoint(a.first, b.first));
      expect(d.endpointUsage.map(keyOf)).toEqual(expected.map((e) => e.key));
      d.endpointUsage.forEach((row, i) => {
        const e = expected[i]!;
        expectStats(row, e.stats, e.key);
        expect(row.share, `${e.key} share`).toBeCloseTo(e.stats.count / all.length, 12);
      });
    });

    it.each<[string, Filter]>([
      ['service', { service: 'users' }],
      ['route', { route: '/api/users/:id' }],
      ['method', { method: 'GET' }],
    ])('endpointUsage filtered by %s: shares are of the filtered traffic', async (_name, filter) => {
      const d = await q<{ endpointUsage: Row[] }>(
        `query($range: TimeRange!, $service: String, $route: String, $method: String) {
           endpointUsage(range: $range, service: $service, route: $route, method: $method, sort: ENDPOINT) { service method route share ${STATS} } }`,
        { ...filter, method: filter.method?.toLowerCase() },
      );
      const logs = inRange(data.records, data.range, filter);
      const expected = endpoints(logs).sort((a, b) => byEndpoint(a.first, b.first));
      expect(d.endpointUsage.map(keyOf)).toEqual(expected.map((e) => e.key));
      d.endpointUsage.forEach((row, i) => {
        expectStats(row, expected[i]!.stats, expected[i]!.key);
        expect(row.share).toBeCloseTo(expected[i]!.stats.count / logs.length, 12);
      });
    });

    it.each([
      ['P95', (s: ReturnType<typeof stats>) => s.latency.p95!],
      ['ERROR_RATE', (s: ReturnType<typeof stats>) => s.errorRate],
      ['SERVER_ERROR_RATE', (s: ReturnType<typeof stats>) => s.serverErrorRate],
    ])('endpointUsage sort %s with a limit', async (sort, figure) => {
      const d = await q<{ endpointUsage: Row[] }>(
        `query($range: TimeRange!) { endpointUsage(range: $range, sort: ${sort}, limit: 3) { service method route } }`,
      );
      const expected = endpoints(all).sort(
        (a, b) => figure(b.stats) - figure(a.stats) || b.stats.count - a.stats.count || byEndpoint(a.first, b.first),
      );
      expect(d.endpointUsage.map(keyOf)).toEqual(expected.slice(0, 3).map((e) => e.key));
    });

    it('slowEndpoints: top N by p95 with avg', async () => {
      const d = await q<{ slowEndpoints: Row[] }>(
        `query($range: TimeRange!) { slowEndpoints(range: $range, limit: 4) { service method route share ${STATS} } }`,
      );
      const expected = endpoints(all)
        .sort((a, b) => b.stats.latency.p95! - a.stats.latency.p95!)
        .slice(0, 4);
      expect(d.slowEndpoints.map(keyOf)).toEqual(expected.map((e) => e.key));
      d.slowEndpoints.forEach((row, i) => expectStats(row, expected[i]!.stats, expected[i]!.key));
      const few = await q<{ slowEndpoints: Row[] }>(
        `query($range: TimeRange!) { slowEndpoints(range: $range, minRequests: 1000000) { route } }`,
      );
      expect(few.slowEndpoints).toEqual([]);
    });

    it('endpoints and services list everything with counts', async () => {
      const d = await q<{ endpoints: Row[]; services: Row[] }>(
        `query($range: TimeRange!) { endpoints(range: $range) { service method route share ${STATS} } services(range: $range) { service share endpointCount ${STATS} } }`,
      );
      const eps = endpoints(all).sort((a, b) => byEndpoint(a.first, b.first));
      expect(d.endpoints.map(keyOf)).toEqual(eps.map((e) => e.key));
      d.endpoints.forEach((row, i) => expectStats(row, eps[i]!.stats, eps[i]!.key));
      const services = [...groupBy(all, (l) => l.service)].sort(([a, x], [b, y]) => y.length - x.length || cmpText(a, b));
      expect(d.services.map((s) => s.service)).toEqual(services.map(([s]) => s));
      d.services.forEach((row, i) => {
        const [name, logs] = services[i]!;
        expectStats(row, stats(logs), name);
        expect(row.share).toBeCloseTo(logs.length / all.length, 12);
        expect(row.endpointCount).toBe(new Set(logs.map(endpointKey)).size);
      });
    });

    it('endpointDetail: totals, series, statuses, top clients and recent errors', async () => {
      const filter = { service: 'users', route: '/api/users/:id', method: 'GET' };
      const d = await q<{ endpointDetail: Row & { series: Row[]; statuses: Row[]; topClients: Row[]; recentErrors: Row[] } }>(
        `query($range: TimeRange!) { endpointDetail(range: $range, route: "/api/users/:id", method: "get", service: "users", bucket: "1h", limit: 5) {
           range { from to } service method route bucketSeconds ${STATS}
           series { bucket requests ${STATS.replace('count ', '')} }
           statuses { status statusClass count share errorShare }
           topClients { value count errors share } topClientsSample { rows of sampled exact }
           recentErrors { id timestamp path status latencyMs route method service } } }`,
      );
      const detail = d.endpointDetail;
      const logs = inRange(data.records, data.range, filter);
      expect(detail).toMatchObject({ service: 'users', method: 'GET', route: '/api/users/:id', bucketSeconds: 3600, range });
      expectStats(detail, stats(logs), 'endpoint');
      expect(detail.series.length).toBe(5); // hours 0..4 after the base hour; the range is 0:17–4:43
      for (const p of detail.series) {
        const start = Date.parse(p.bucket as string);
        expectStats(
          p,
          stats(logs.filter((l) => l.timestamp.getTime() >= start && l.timestamp.getTime() < start + HOUR)),
          `series ${p.bucket}`,
          'requests',
        );
      }
      const statuses = [...groupBy(logs, (l) => l.status)].sort(([a], [b]) => a - b);
      const errors = logs.filter((l) => l.status >= 400).length;
      expect(detail.statuses).toEqual(
        statuses.map(([status, g]) => ({
          status,
          statusClass: Math.floor(status / 100),
          count: g.length,
          share: g.length / logs.length,
          errorShare: status >= 400 ? g.length / errors : 0,
        })),
      );
      expect(detail.topClients).toEqual(topValues(logs, (l) => l.ipAddress, 5).map((v) => ({ ...v, share: v.count / logs.length })));
      expect(detail.topClientsSample).toEqual({ rows: logs.length, of: logs.length, sampled: false, exact: true });
      const recent = logs
        .filter((l) => l.status >= 400)
        .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.seq - a.seq)
        .slice(0, 5);
      expect(detail.recentErrors.map(({ id: _id, ...rest }) => rest)).toEqual(
        recent.map((l) => ({
          timestamp: l.timestamp.toISOString(),
          path: l.path,
          status: l.status,
          latencyMs: l.latencyMs,
          route: l.route,
          method: l.method,
          service: l.service,
        })),
      );
    });

    it('endpointDetail without a service covers the route in every service', async () => {
      const d = await q<{ endpointDetail: Row }>(
        `query($range: TimeRange!) { endpointDetail(range: $range, route: "/api/users/:id", method: "DELETE") { service ${STATS} } }`,
      );
      expect(d.endpointDetail.service).toBeNull();
      expectStats(d.endpointDetail, stats(inRange(data.records, data.range, { route: '/api/users/:id', method: 'DELETE' })), 'DELETE');
    });
  });

  describe('errors', () => {
    it('errorDistribution: per status code and class, with shares', async () => {
      const d = await q<{ errorDistribution: Row & { byStatus: Row[]; byClass: Row[] } }>(
        `query($range: TimeRange!) { errorDistribution(range: $range) { range { from to } total errors errorRate
           byStatus { status statusClass count share errorShare } byClass { statusClass label count share errorShare } } }`,
      );
      const errors = all.filter((l) => l.status >= 400).length;
      const dist = d.errorDistribution;
      expect(dist).toMatchObject({ total: all.length, errors, range });
      expect(dist.errorRate).toBeCloseTo(errors / all.length, 12);
      const byStatus = [...groupBy(all, (l) => l.status)].sort(([a], [b]) => a - b);
      expect(dist.byStatus.length).toBe(byStatus.length);
      dist.byStatus.forEach((row, i) => {
        const [status, g] = byStatus[i]!;
        expect(row).toMatchObject({ status, statusClass: Math.floor(status / 100), count: g.length });
        expect(row.share).toBeCloseTo(g.length / all.length, 12);
        expect(row.errorShare).toBeCloseTo(status >= 400 ? g.length / errors : 0, 12);
      });
      const byClass = [...groupBy(all, (l) => Math.floor(l.status / 100))].sort(([a], [b]) => a - b);
      expect(dist.byClass).toEqual(
        byClass.map(([c, g]) => ({
          statusClass: c,
          label: `${c}xx`,
          count: g.length,
          share: g.length / all.length,
          errorShare: c >= 4 ? g.length / errors : 0,
        })),
      );
    });

    it('statusEndpointTop: per status code, the endpoints with most calls', async () => {
      const d = await q<{ statusEndpointTop: (Row & { endpoints: Row[] })[] }>(
        `query($range: TimeRange!) { statusEndpointTop(range: $range, limit: 2) { status count share endpoints { service method route count share } } }`,
      );
      const byStatus = [...groupBy(all, (l) => l.status)].sort(([a], [b]) => a - b);
      expect(d.statusEndpointTop.map((s) => s.status)).toEqual(byStatus.map(([s]) => s));
      d.statusEndpointTop.forEach((row, i) => {
        const [, g] = byStatus[i]!;
        expect(row.count).toBe(g.length);
        expect(row.share).toBeCloseTo(g.length / all.length, 12);
        const top = endpoints(g)
          .sort((a, b) => b.stats.count - a.stats.count || byEndpoint(a.first, b.first))
          .slice(0, 2);
        expect(row.endpoints).toEqual(
          top.map((e) => ({
            service: e.first.service,
            method: e.first.method,
            route: e.first.route,
            count: e.stats.count,
            share: e.stats.count / g.length,
          })),
        );
      });
    });

    it.each(['UTC', 'America/New_York', 'Asia/Kolkata'])('errorHeatmap in %s: hour × endpoint error rates with counts', async (tz) => {
      const d = await q<{ errorHeatmap: (Row & { data: Row[] })[] }>(
        `query($range: TimeRange!, $tz: String) { errorHeatmap(range: $range, tz: $tz, limit: 1000) { id service method route requests errors errorRate data { x y hour requests errors errorRate } } }`,
        { tz },
      );
      const expected = endpoints(all)
        .filter((e) => e.stats.errors > 0)
        .sort((a, b) => b.stats.errors - a.stats.errors || byEndpoint(a.first, b.first));
      expect(d.errorHeatmap.map((r) => r.id)).toEqual(expected.map((e) => e.key));
      d.errorHeatmap.forEach((row, i) => {
        const e = expected[i]!;
        expect(row).toMatchObject({
          service: e.first.service,
          method: e.first.method,
          route: e.first.route,
          requests: e.stats.count,
          errors: e.stats.errors,
        });
        expect(row.errorRate).toBeCloseTo(e.stats.errorRate, 12);
        const byHour = groupBy(e.logs, (l) => localParts(l.timestamp, tz).hour);
        expect(row.data).toEqual(
          Array.from({ length: 24 }, (_, hour) => {
            const g = byHour.get(hour) ?? [];
            const errors = g.filter((l) => l.status >= 400).length;
            const rate = g.length ? errors / g.length : null;
            return { x: hour, y: rate, hour, requests: g.length, errors, errorRate: rate };
          }),
        );
      });
      // The scripted burst shows up in the local hour it happened in.
      const burst = d.errorHeatmap.find((r) => r.id === 'users DELETE /api/users/:id')!;
      const worst = [...burst.data].sort((a, b) => (b.errors as number) - (a.errors as number))[0]!;
      const burstLocalHours = [0, 59].map((m) => localParts(new Date(data.burstHour.getTime() + m * MINUTE), tz).hour);
      expect(burstLocalHours).toContain(worst.hour);
    });

    it('errorHeatmap hours follow the zone: Kolkata is UTC+5:30', async () => {
      const d = await q<{ utc: Row[]; ist: Row[] }>(
        `query($range: TimeRange!) { utc: errorHeatmap(range: $range, tz: "UTC", route: "/api/search") { data { requests } }
                                      ist: errorHeatmap(range: $range, tz: "Asia/Kolkata", route: "/api/search") { data { requests } } }`,
      );
      const utcHours = (d.utc[0]!.data as Row[]).map((c) => c.requests as number);
      const istHours = (d.ist[0]!.data as Row[]).map((c) => c.requests as number);
      const search = inRange(data.records, data.range, { route: '/api/search' });
      const half = (h: number, second: boolean) =>
        search.filter((l) => l.timestamp.getUTCHours() === (h + 24) % 24 && l.timestamp.getUTCMinutes() >= 30 === second).length;
      for (let h = 0; h < 24; h++) expect(half(h, false) + half(h, true)).toBe(utcHours[h]);
      // IST hour k is UTC [k−5:30, k−4:30): the second half of UTC hour k−6 and the first half of k−5.
      for (let k = 0; k < 24; k++) expect(istHours[k], `IST hour ${k}`).toBe(half(k - 6, true) + half(k - 5, false));
      expect(istHours.reduce((a, b) => a + b, 0)).toBe(utcHours.reduce((a, b) => a + b, 0));
    });
  });

  describe('patterns', () => {
    it.each(['UTC', 'Europe/Berlin', 'Asia/Kolkata'])('by hour and weekday in %s, peaks, methods, top agents and clients', async (tz) => {
      const d = await q<{ patterns: Row & { byHour: Row[]; byWeekday: Row[]; methods: Row[]; topUserAgents: Row[]; topClientIps: Row[] } }>(
        `query($range: TimeRange!, $tz: String) { patterns(range: $range, tz: $tz, limit: 4) { range { from to } timeZone total peakHours
           byHour { hour requests errors errorRate share } byWeekday { weekday name requests errors errorRate share }
           methods { value count errors share } topUserAgents { value count errors share } topClientIps { value count errors share } topSample { rows of sampled exact } } }`,
        { tz },
      );
      const p = d.patterns;
      expect(p).toMatchObject({ timeZone: tz, total: all.length, range });
      const period = (g: GeneratedLog[]) => {
        const errors = g.filter((l) => l.status >= 400).length;
        return { requests: g.length, errors, errorRate: g.length ? errors / g.length : 0, share: g.length / all.length };
      };
      const hours = groupBy(all, (l) => localParts(l.timestamp, tz).hour);
      expect(p.byHour).toEqual(Array.from({ length: 24 }, (_, hour) => ({ hour, ...period(hours.get(hour) ?? []) })));
      const days = groupBy(all, (l) => localParts(l.timestamp, tz).weekday);
      const names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
      expect(p.byWeekday).toEqual(names.map((name, i) => ({ weekday: i + 1, name, ...period(days.get(i + 1) ?? []) })));
      const peaks = [...hours]
        .sort(([ha, a], [hb, b]) => b.length - a.length || ha - hb)
        .slice(0, 3)
        .map(([h]) => h);
      expect(p.peakHours).toEqual(peaks);
      const withShare = (v: { value: string; count: number; errors: number }) => ({ ...v, share: v.count / all.length });
      expect(p.methods).toEqual(topValues(all, (l) => l.method, 100).map(withShare));
      expect(p.topUserAgents).toEqual(topValues(all, (l) => l.userAgent, 4).map(withShare));
      expect(p.topClientIps).toEqual(topValues(all, (l) => l.ipAddress, 4).map(withShare));
      // Within the sample bound: every record counted, and the answer says so.
      expect(p.topSample).toEqual({ rows: all.length, of: all.length, sampled: false, exact: true });
    });

    it('patterns honour the filter (raw-log tops included)', async () => {
      const d = await q<{ patterns: Row & { topClientIps: Row[]; methods: Row[] } }>(
        'query($range: TimeRange!) { patterns(range: $range, tz: "UTC", service: "checkout", method: "post") { total methods { value count } topClientIps { value count } } }',
      );
      const logs = inRange(data.records, data.range, { service: 'checkout', method: 'POST' });
      expect(d.patterns.total).toBe(logs.length);
      expect(d.patterns.methods).toEqual([{ value: 'POST', count: logs.length }]);
      expect(d.patterns.topClientIps).toEqual(topValues(logs, (l) => l.ipAddress, 10).map(({ value, count }) => ({ value, count })));
    });
  });

  describe('recentLogs', () => {
    const LOG_PAGE = `query($first: Int, $after: String, $filter: LogFilter) { recentLogs(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id timestamp path status service route method latencyMs userAgent ipAddress } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

    async function readAll(filter: Record<string, unknown>, first: number) {
      const nodes: Row[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page++) {
        const d: { recentLogs: { edges: { cursor: string; node: Row }[]; pageInfo: Row } } = await q(LOG_PAGE, { first, after, filter });
        const { edges, pageInfo } = d.recentLogs;
        expect(edges.length).toBeLessThanOrEqual(first);
        expect(pageInfo.hasPreviousPage).toBe(after !== null);
        expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
        expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
        nodes.push(...edges.map((e) => e.node));
        if (!pageInfo.hasNextPage) return nodes;
        after = pageInfo.endCursor as string;
      }
      throw new Error('did not finish paging');
    }

    const newestFirst = (logs: GeneratedLog[]) => [...logs].sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.seq - a.seq);
    const shape = (l: GeneratedLog) => ({
      timestamp: l.timestamp.toISOString(),
      path: l.path,
      status: l.status,
      service: l.service,
      route: l.route,
      method: l.method,
      latencyMs: l.latencyMs,
      userAgent: l.userAgent,
      ipAddress: l.ipAddress,
    });

    it.each<[string, Record<string, unknown>, (l: GeneratedLog) => boolean, number]>([
      [
        'service + statusClass',
        { service: 'checkout', statusClass: 4 },
        (l) => l.service === 'checkout' && l.status >= 400 && l.status < 500,
        37,
      ],
      [
        'pathContains (case-insensitive) + minLatencyMs',
        { pathContains: 'STEP=PAY', minLatencyMs: 150 },
        (l) => l.path.includes('step=pay') && l.latencyMs >= 150,
        50,
      ],
      [
        'route + method + status + time window',
        { route: '/api/users/:id', method: 'get', status: 404, from: range.from, to: range.to },
        (l) =>
          l.route === '/api/users/:id' &&
          l.method === 'GET' &&
          l.status === 404 &&
          l.timestamp >= data.range.from &&
          l.timestamp < data.range.to,
        40,
      ],
    ])('pages through every match newest first: %s', async (_name, filter, match, first) => {
      const nodes = await readAll(filter, first);
      const expected = newestFirst(data.records.filter(match));
      expect(expected.length).toBeGreaterThan(first);
      expect(nodes.map(({ id: _id, ...rest }) => rest)).toEqual(expected.map(shape));
      expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    });

    it('defaults to 50 records and a cursor resumes exactly after its record', async () => {
      const first: { recentLogs: { edges: { cursor: string; node: Row }[] } } = await q(LOG_PAGE, {});
      expect(first.recentLogs.edges.length).toBe(50);
      const newest = newestFirst(data.records);
      expect(first.recentLogs.edges.map((e) => e.node.path)).toEqual(newest.slice(0, 50).map((l) => l.path));
      const next: { recentLogs: { edges: { node: Row }[] } } = await q(LOG_PAGE, { first: 3, after: first.recentLogs.edges[9]!.cursor });
      expect(next.recentLogs.edges.map((e) => e.node.timestamp)).toEqual(newest.slice(10, 13).map((l) => l.timestamp.toISOString()));
    });
  });

  describe('readRollups (the reader every range analysis uses)', () => {
    it.each<[string, RollupDimension[], number | undefined, string | undefined]>([
      ['per endpoint × 5m', ['bucket', 'service', 'method', 'route'], 300, undefined],
      ['per endpoint × 1h (hour rollups inside, minutes at the edges)', ['bucket', 'service', 'method', 'route'], 3600, undefined],
      ['per status × 1d in New York (local days)', ['bucket', 'status'], 86_400, 'America/New_York'],
      ['per hour of day × weekday in Kolkata (minute rollups)', ['hourOfDay', 'weekday'], undefined, 'Asia/Kolkata'],
      ['nothing (one total row)', [], undefined, undefined],
    ])('%s: merged in SQL and in TS, both equal to the records', async (_name, dims, bucketSeconds, tz) => {
      const pool = gw.app.database!.pool;
      const query = { range: data.range, groupBy: dims, bucketSeconds, tz, filter: { service: 'users' } };
      const [inSql, inTs] = await Promise.all([
        readRollups(pool, { ...query, mergeIn: 'sql' }),
        readRollups(pool, { ...query, mergeIn: 'ts' }),
      ]);
      const logs = inRange(data.records, data.range, { service: 'users' });
      const step = (bucketSeconds ?? 0) * 1000;
      const localDay = (t: Date) =>
        new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
      const keyOfLog = (l: GeneratedLog) =>
        dims
          .map((d) => {
            if (d === 'bucket') return tz ? localDay(l.timestamp) : String(Math.floor(l.timestamp.getTime() / step) * step);
            if (d === 'hourOfDay') return String(localParts(l.timestamp, tz ?? 'UTC').hour);
            if (d === 'weekday') return String(localParts(l.timestamp, tz ?? 'UTC').weekday);
            return String(l[d]);
          })
          .join('|');
      const keyOfRow = (r: RollupRow<RollupDimension>) =>
        dims
          .map((d) => {
            const v = (r as unknown as Record<string, unknown>)[d];
            if (d === 'bucket') return tz ? localDay(v as Date) : String((v as Date).getTime());
            return String(v);
          })
          .join('|');
      const expected = groupBy(logs, keyOfLog);
      for (const rows of [inSql, inTs]) {
        expect(rows.length).toBe(expected.size);
        for (const row of rows) {
          const g = expected.get(keyOfRow(row));
          expect(g, keyOfRow(row)).toBeDefined();
          const s = stats(g!);
          expect([row.count, row.errors4xx, row.errors5xx]).toEqual([s.count, s.clientErrors, s.serverErrors]);
          expect(row.latencyMax).toBe(s.latency.max);
          expectLatency(latencyOf(row), s.latency, keyOfRow(row));
        }
      }
      const sortRows = (rows: typeof inSql) => [...rows].sort((a, b) => cmpText(keyOfRow(a), keyOfRow(b)));
      expect(sortRows(inTs).map((r) => r.histogram)).toEqual(sortRows(inSql).map((r) => r.histogram));
    });
  });

  it('latency figures of the whole range are within 5 % of the exact ones', async () => {
    const d = await q<{ services: Row[] }>(
      'query($range: TimeRange!) { services(range: $range, route: "/api/search") { avg p50 p95 p99 max } }',
    );
    expectLatency(d.services[0]!, stats(inRange(data.records, data.range, { route: '/api/search' })).latency, 'search');
  });
});
