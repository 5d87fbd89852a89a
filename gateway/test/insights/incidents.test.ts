import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateRoute } from '../../src/ingest/route-template.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { incidentScenario, ingestAll, inWindow, percentile, type WireRecord } from './incidents.ts';

/**
 * anomalies, bottlenecks and recommendations over three hours of the traffic generator's normal
 * traffic with its scripted incidents (latency on /api/products for 5 min, an error burst on
 * /api/users for 2 min, a 3× spike for 1 min), ingested through real HTTP into real storage.
 * Two extra facts are planted for the recommendations: one client address sends 30 % of the
 * analysed requests, and GET /api/users (the list) answers ~240 KB responses.
 */

const MINUTE = 60_000;
const NOISY_IP = '198.51.100.77';

const scenario = incidentScenario();
const records: WireRecord[] = scenario.records.map((r, i) => {
  const t = Date.parse(r.timestamp);
  const record: WireRecord = { ...r };
  if (t >= scenario.analysed.from.getTime() && i % 10 < 3) record.ip_address = NOISY_IP;
  if (r.method === 'GET' && templateRoute(r.path) === '/api/users' && r.status === 200) record.bytes = 240_000 + (i % 20_000);
  return record;
});

const iso = (d: Date) => d.toISOString();
const range = (from: Date, to: Date) => ({ from: iso(from), to: iso(to) });
/** Inside the window, once widened to whole buckets of the anomaly's size (small endpoints are judged in coarser buckets). */
const within = (a: { start: string; end: string; bucketSeconds?: number }, w: { start: Date; end: Date }) => {
  const size = (a.bucketSeconds ?? 60) * 1000;
  return (
    Date.parse(a.start) >= Math.floor(w.start.getTime() / size) * size && Date.parse(a.end) <= Math.ceil(w.end.getTime() / size) * size
  );
};

interface AnomalyRow {
  kind: string;
  service: string | null;
  method: string | null;
  route: string | null;
  start: string;
  end: string;
  bucketSeconds: number;
  observed: number;
  baseline: number;
  score: number;
  severity: string;
  baselineKind: string;
  explanation: string;
  evidence: { label: string; value: number; unit: string | null }[];
}

const ANOMALY_FIELDS =
  'kind service method route start end bucketSeconds observed baseline score severity baselineKind explanation evidence { label value unit }';

/** Brute-force figures of one endpoint over a window of the planted records. */
function endpointFacts(from: Date, to: Date, method: string, route: string) {
  const all = inWindow(records, from, to);
  const mine = all.filter((r) => r.method === method && templateRoute(r.path) === route);
  const latencies = mine.map((r) => r.latency_ms);
  const spent = (rs: WireRecord[]) => rs.reduce((n, r) => n + r.latency_ms, 0);
  return {
    count: mine.length,
    errors5xx: mine.filter((r) => r.status >= 500).length,
    notFound: mine.filter((r) => r.status === 404).length,
    p95: percentile(latencies, 0.95),
    avg: spent(mine) / mine.length,
    timeShare: spent(mine) / spent(all),
    share: mine.length / all.length,
    avgBytes: mine.filter((r) => r.status === 200).reduce((n, r) => n + r.bytes, 0) / mine.filter((r) => r.status === 200).length,
  };
}

const value = (evidence: { label: string; value: number }[], label: string) => evidence.find((e) => e.label === label)?.value;

describe.each(STORAGE_MODES)('insights over scripted incidents on %s', (mode) => {
  let gw: TestGateway;

  async function q<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const res = await gw.graphql<T>(query, variables);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!;
  }

  beforeAll(async () => {
    gw = await startTestGateway(mode);
    await ingestAll(gw, records);
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('anomalies finds each scripted incident on the right endpoint and window, and nothing else', async () => {
    const data = await q<{
      anomalies: {
        bucketSeconds: number;
        seriesAnalysed: number;
        seasonality: string;
        analysed: { from: string; to: string };
        anomalies: AnomalyRow[];
      };
    }>(
      `query($range: TimeRange!) { anomalies(range: $range) { bucketSeconds seriesAnalysed seasonality analysed { from to } anomalies { ${ANOMALY_FIELDS} } } }`,
      { range: range(scenario.analysed.from, scenario.analysed.to) },
    );
    const report = data.anomalies;
    expect(report.bucketSeconds).toBe(60);
    expect(report.seasonality).toBe('NONE');
    expect(report.seriesAnalysed).toBeGreaterThan(5);
    expect(report.analysed).toEqual({ from: iso(scenario.analysed.from), to: iso(scenario.analysed.to) });
    const found = report.anomalies;

    const latency = found.filter((a) => a.kind === 'LATENCY' && a.method === 'GET' && a.route?.startsWith('/api/products'));
    expect(latency.map((a) => a.route).sort()).toEqual(['/api/products', '/api/products/:id']);
    for (const a of latency) {
      expect(a.start).toBe(iso(scenario.latency.start));
      expect(a.end).toBe(iso(scenario.latency.end));
      expect(a.observed).toBeGreaterThan(900);
      expect(a.baseline).toBeLessThan(100);
      expect(a.severity).toBe('CRITICAL');
      expect(a.explanation).toContain(`p95 latency of ${a.method} ${a.route}`);
    }

    const errors = found.filter((a) => a.kind === 'ERROR_RATE' && a.method === 'GET' && a.route !== null);
    expect(errors.map((a) => a.route).sort()).toEqual(['/api/users', '/api/users/:id']);
    for (const a of errors) {
      expect(a.start).toBe(iso(scenario.errors.start));
      expect(a.end).toBe(iso(scenario.errors.end));
      expect(a.observed).toBeGreaterThan(0.3);
    }

    const spikes = found.filter((a) => a.kind === 'TRAFFIC_SPIKE');
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ route: null, method: null, start: iso(scenario.spike.start), end: iso(scenario.spike.end) });
    expect(spikes[0]!.observed / spikes[0]!.baseline).toBeGreaterThan(2);

    // Quiet elsewhere: every finding (smaller endpoints included, which may show only part of an
    // incident) lies inside one of the scripted incidents, with the kind that incident causes.
    const incidents = [
      { ...scenario.latency, kind: 'LATENCY', route: '/api/products' },
      { ...scenario.errors, kind: 'ERROR_RATE', route: '/api/users' },
      { ...scenario.spike, kind: 'TRAFFIC_SPIKE', route: null },
    ];
    for (const a of found) {
      const inside = incidents.some(
        (w) => w.kind === a.kind && within(a, w) && (w.route === null || a.route === null || a.route.startsWith(w.route)),
      );
      expect(inside, JSON.stringify(a)).toBe(true);
    }
    expect(found.every((a) => a.evidence.length >= 4 && a.baselineKind === 'TRAILING')).toBe(true);
  });

  it('anomalies narrows to one endpoint with route and method', async () => {
    const data = await q<{ anomalies: { seriesAnalysed: number; anomalies: AnomalyRow[] } }>(
      `query($range: TimeRange!) { anomalies(range: $range, route: "/api/products", method: "get", sensitivity: HIGH) { seriesAnalysed anomalies { ${ANOMALY_FIELDS} } } }`,
      { range: range(scenario.analysed.from, scenario.analysed.to) },
    );
    expect(data.anomalies.seriesAnalysed).toBe(1);
    // Without an overall series to echo, the system-wide spike shows on this endpoint too.
    expect(data.anomalies.anomalies.map((a) => [a.kind, a.method, a.route, a.start])).toEqual([
      ['LATENCY', 'GET', '/api/products', iso(scenario.latency.start)],
      ['TRAFFIC_SPIKE', 'GET', '/api/products', iso(scenario.spike.start)],
    ]);
  });

  it('bottlenecks names the slow endpoint with the right numbers, and the incident as a regression', async () => {
    const fields =
      'service method route count p95 avg reasons severity baselineP95 serviceMedianP95 timeShare explanation evidence { label value unit }';
    type Row = {
      method: string;
      route: string;
      count: number;
      p95: number;
      avg: number;
      reasons: string[];
      severity: string;
      baselineP95: number | null;
      serviceMedianP95: number | null;
      timeShare: number;
      explanation: string;
      evidence: { label: string; value: number }[];
    };
    const whole = await q<{ bottlenecks: Row[] }>(`query($range: TimeRange!) { bottlenecks(range: $range) { ${fields} } }`, {
      range: range(scenario.analysed.from, scenario.analysed.to),
    });
    const slow = whole.bottlenecks.find((b) => b.route === '/api/slow');
    expect(slow, JSON.stringify(whole.bottlenecks)).toBeDefined();
    const expected = endpointFacts(scenario.analysed.from, scenario.analysed.to, 'GET', '/api/slow');
    expect(slow!.count).toBe(expected.count);
    expect(slow!.p95).toBeGreaterThan(expected.p95 * 0.95);
    expect(slow!.p95).toBeLessThan(expected.p95 * 1.05);
    expect(slow!.avg).toBeCloseTo(expected.avg, 3);
    expect(slow!.timeShare).toBeCloseTo(expected.timeShare, 6);
    expect(slow!.reasons).toEqual(expect.arrayContaining(['P95_OVER_THRESHOLD', 'SLOWER_THAN_SERVICE']));
    expect(slow!.serviceMedianP95).toBeLessThan(100);
    expect(value(slow!.evidence, 'requests')).toBe(expected.count);
    expect(value(slow!.evidence, 'p95 threshold')).toBe(500);
    expect(slow!.explanation).toContain('GET /api/slow (target-server): p95');
    // Over two hours nothing else is over 500 ms, except what the latency incident slowed down.
    const over = whole.bottlenecks.filter((b) => b.reasons.includes('P95_OVER_THRESHOLD')).map((b) => b.route);
    expect(
      over.every((route) => route === '/api/slow' || route.startsWith('/api/products')),
      over.join(),
    ).toBe(true);

    // Over the incident itself, GET /api/products is slow against its previous 5 minutes.
    const { start, end } = scenario.latency;
    const incident = await q<{ bottlenecks: Row[] }>(
      `query($range: TimeRange!) { bottlenecks(range: $range, route: "/api/products") { ${fields} } }`,
      {
        range: range(start, end),
      },
    );
    const products = incident.bottlenecks.find((b) => b.method === 'GET');
    expect(products, JSON.stringify(incident.bottlenecks)).toBeDefined();
    const now = endpointFacts(start, end, 'GET', '/api/products');
    const before = endpointFacts(new Date(start.getTime() - 5 * MINUTE), start, 'GET', '/api/products');
    expect(products!.count).toBe(now.count);
    expect(products!.p95 / now.p95).toBeGreaterThan(0.95);
    expect(products!.p95 / now.p95).toBeLessThan(1.05);
    expect(products!.baselineP95! / before.p95).toBeGreaterThan(0.95);
    expect(products!.baselineP95! / before.p95).toBeLessThan(1.05);
    expect(products!.reasons).toEqual(expect.arrayContaining(['P95_OVER_THRESHOLD', 'SLOWER_THAN_BEFORE']));
    expect(['HIGH', 'CRITICAL']).toContain(products!.severity);
  });

  it('recommendations name the 5xx-heavy route, the noisy client, large responses and the slow endpoint with their numbers', async () => {
    type Rec = {
      kind: string;
      title: string;
      detail: string;
      priority: string;
      method: string | null;
      route: string | null;
      affectedRequests: number;
      evidence: { label: string; value: number; unit: string | null }[];
    };
    const fields = 'kind title detail priority service method route affectedRequests evidence { label value unit }';
    const whole = await q<{ recommendations: Rec[] }>(
      `query($range: TimeRange!) { recommendations(range: $range, limit: 100) { ${fields} } }`,
      {
        range: range(scenario.analysed.from, scenario.analysed.to),
      },
    );
    const recs = whole.recommendations;
    const find = (kind: string, route: string | null) => recs.find((r) => r.kind === kind && r.route === route);
    const { from, to } = scenario.analysed;

    // The generator's /api/error/404 and /api/error/500 share one templated route.
    const errorRoute = endpointFacts(from, to, 'GET', '/api/error/:id');
    const fiveHundreds = find('INVESTIGATE_5XX', '/api/error/:id');
    expect(fiveHundreds, JSON.stringify(recs.map((r) => r.title))).toBeDefined();
    expect(value(fiveHundreds!.evidence, '5xx responses')).toBe(errorRoute.errors5xx);
    expect(value(fiveHundreds!.evidence, '5xx rate')).toBeCloseTo((errorRoute.errors5xx / errorRoute.count) * 100, 2);
    expect(value(fiveHundreds!.evidence, 'commonest 5xx status')).toBe(500);
    const notFound = find('FIX_404_ROUTE', '/api/error/:id');
    expect(value(notFound!.evidence, '404 responses')).toBe(errorRoute.notFound);

    const analysed = inWindow(records, from, to);
    const noisy = find('RATE_LIMIT_CLIENT', null);
    expect(noisy!.title).toContain(NOISY_IP);
    expect(value(noisy!.evidence, 'requests from this client')).toBe(analysed.filter((r) => r.ip_address === NOISY_IP).length);
    expect(value(noisy!.evidence, 'sampled requests')).toBe(analysed.length);
    expect(noisy!.priority).toBe('MEDIUM');

    const users = endpointFacts(from, to, 'GET', '/api/users');
    const paginate = find('PAGINATE_LARGE_RESPONSES', '/api/users');
    expect(paginate, JSON.stringify(recs.map((r) => r.title))).toBeDefined();
    // 4xx/5xx answers carry the generator's small error bodies; the average covers every response.
    const allUsers = analysed.filter((r) => r.method === 'GET' && templateRoute(r.path) === '/api/users');
    expect(value(paginate!.evidence, 'average response size')).toBe(
      Math.round(allUsers.reduce((n, r) => n + r.bytes, 0) / allUsers.length),
    );
    expect(users.avgBytes).toBeGreaterThan(200_000);

    const optimize = find('OPTIMIZE_SLOW_ENDPOINT', '/api/slow');
    expect(optimize).toBeDefined();
    expect(value(optimize!.evidence, 'requests')).toBe(endpointFacts(from, to, 'GET', '/api/slow').count);

    const latency = find('INVESTIGATE_LATENCY_ANOMALY', '/api/products');
    expect(latency!.title).toContain(iso(scenario.latency.start).slice(11, 16));
    expect(value(latency!.evidence, 'duration')).toBe(5);

    // Ranked: priorities never go back up.
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
    const ranks = recs.map((r) => order.indexOf(r.priority));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    // Around the error burst, GET /api/users is the 5xx-heavy route, with exact counts.
    const burstFrom = new Date(scenario.errors.start.getTime() - 3 * MINUTE);
    const burstTo = new Date(scenario.errors.end.getTime() + 3 * MINUTE);
    const burst = await q<{ recommendations: Rec[] }>(
      `query($range: TimeRange!) { recommendations(range: $range, route: "/api/users", method: "GET") { ${fields} } }`,
      {
        range: range(burstFrom, burstTo),
      },
    );
    const usersBurst = endpointFacts(burstFrom, burstTo, 'GET', '/api/users');
    const investigate = burst.recommendations.find((r) => r.kind === 'INVESTIGATE_5XX');
    expect(investigate, JSON.stringify(burst.recommendations)).toBeDefined();
    expect(investigate!.route).toBe('/api/users');
    expect(value(investigate!.evidence, '5xx responses')).toBe(usersBurst.errors5xx);
    expect(value(investigate!.evidence, 'requests')).toBe(usersBurst.count);
    expect(investigate!.detail).toContain(`${usersBurst.errors5xx} of ${usersBurst.count}`);

    // During the latency incident, the busy GET /api/products is the one to cache.
    const during = await q<{ recommendations: Rec[] }>(`query($range: TimeRange!) { recommendations(range: $range) { ${fields} } }`, {
      range: range(scenario.latency.start, scenario.latency.end),
    });
    const cache = during.recommendations.find((r) => r.kind === 'CACHE_HOT_SLOW_GET');
    expect(cache?.route).toBe('/api/products');
    const products = endpointFacts(scenario.latency.start, scenario.latency.end, 'GET', '/api/products');
    expect(value(cache!.evidence, 'requests')).toBe(products.count);
    expect(value(cache!.evidence, 'share of all requests')).toBeCloseTo(products.share * 100, 2);
  });

  it('rejects bad arguments with BAD_USER_INPUT', async () => {
    const tooLong = await gw.graphql(`{ anomalies(range: {last: "40d"}) { threshold } }`);
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooLong.errors?.[0]?.message).toMatch(/31 days/);
    const threshold = await gw.graphql(`{ bottlenecks(range: {last: "1h"}, p95ThresholdMs: -5) { route } }`);
    expect(threshold.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const limit = await gw.graphql(`{ recommendations(range: {last: "1h"}, limit: 5000) { title } }`);
    expect(limit.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const sensitivity = await gw.graphql(`{ anomalies(range: {last: "1h"}, sensitivity: EXTREME) { threshold } }`);
    expect(sensitivity.errors?.[0]?.message).toMatch(/EXTREME/);
  });
});
