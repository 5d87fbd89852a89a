import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRawSample, type HourCount } from '../../src/storage/raw-sample-plan.ts';
import { topValues } from '../analytics/brute-force.ts';
import type { GeneratedLog } from '../analytics/dataset.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { seededRandom } from '@logpulse/testkit/random';

/**
 * Top user agents / client IPs past the sample bound: the answer says it was sampled and over
 * how many records, and it is exactly the tops of the records the sample plan selects (newest
 * `limit` of each slice, by timestamp then id), counted by brute force here. The dataset has a
 * client that is only busy in the first hour, which a "newest N records" sample would miss.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const MAX_ROWS = 1200;

type Rec = Pick<GeneratedLog, 'seq' | 'timestamp' | 'service' | 'method' | 'path' | 'route' | 'status' | 'userAgent' | 'ipAddress'>;

const base = Math.floor(Date.now() / HOUR) * HOUR - 30 * HOUR;
// Minute-aligned (so the raw range is exactly this), not hour-aligned: both edge hours are partial.
const range = { from: new Date(base + 20 * MINUTE), to: new Date(base + 4 * HOUR + 35 * MINUTE) };
/** Relative traffic per hour from `base`: the sample must follow it. */
const HOUR_WEIGHTS = [3, 1, 2, 4, 2];

function generate(): Rec[] {
  const r = seededRandom(20261126);
  const out: Omit<Rec, 'seq'>[] = [];
  const add = (t: number) => {
    const busyRoute = r() < 0.5;
    const method = busyRoute ? (r() < 0.6 ? 'GET' : 'POST') : 'GET';
    const service = r() < 0.03 ? 'tiny' : 'shop';
    const firstHour = t < base + HOUR;
    const x = r();
    const ip =
      firstHour && x < 0.5 ? 'early-bird' : x >= 0.5 && x < 0.56 ? 'steady' : r() < 0.03 ? null : `10.1.0.${1 + Math.floor(r() * 200)}`;
    const y = r();
    const ua = y < 0.45 ? 'ua-A' : y < 0.7 ? 'ua-B' : y < 0.85 ? 'ua-C' : y < 0.95 ? `ua-rare-${Math.floor(r() * 40)}` : null;
    out.push({
      timestamp: new Date(t),
      service,
      method,
      path: busyRoute ? `/api/items/${1 + Math.floor(r() * 999)}` : '/api/home',
      route: busyRoute ? '/api/items/:id' : '/api/home',
      status: r() < 0.1 ? 503 : 200,
      userAgent: ua,
      ipAddress: ip,
    });
  };
  HOUR_WEIGHTS.forEach((w, h) => {
    for (let i = 0; i < w * 450; i++) add(base + h * HOUR + Math.floor(r() * HOUR));
  });
  // More records on one millisecond (the newest of a slice) than the slice takes: the order by
  // (timestamp, id) must decide which, not chance.
  for (let i = 0; i < 300; i++) add(base + 3 * HOUR + 30 * MINUTE - 1);
  out.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  return out.map((rec, seq) => ({ ...rec, seq }));
}

const records = generate();

interface Filter {
  service?: string;
  route?: string;
  method?: string;
}

const matches = (l: Rec, f: Filter) =>
  (!f.service || l.service === f.service) && (!f.route || l.route === f.route) && (!f.method || l.method === f.method);
const inRange = (l: Rec) => l.timestamp >= range.from && l.timestamp < range.to;

function hourCounts(logs: Rec[]): HourCount[] {
  const counts = new Map<number, number>();
  for (const l of logs) {
    const h = Math.floor(l.timestamp.getTime() / HOUR) * HOUR;
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  return [...counts].map(([h, count]) => ({ bucket: new Date(h), count }));
}

/** The records the sample should hold: the plan over the indexed scope (route, else service), then the rest of the filter. */
function expectedSample(filter: Filter): { rows: Rec[]; sampled: boolean } {
  const scopeFilter: Filter = filter.route ? { route: filter.route } : filter.service ? { service: filter.service } : {};
  const scope = records.filter((l) => inRange(l) && matches(l, scopeFilter));
  const slices = planRawSample(range, hourCounts(scope), MAX_ROWS);
  if (!slices) return { rows: scope.filter((l) => matches(l, filter)), sampled: false };
  const picked = slices.flatMap((s) =>
    scope
      .filter((l) => l.timestamp >= s.from && l.timestamp < s.to)
      .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.seq - a.seq)
      .slice(0, s.limit),
  );
  return { rows: picked.filter((l) => matches(l, filter)), sampled: true };
}

/** The top values of `logs`, with their share of all of them (as the sampled lists report it). */
function tops(logs: Rec[], value: (l: Rec) => string | null, limit: number) {
  return topValues(logs, value, limit).map((t) => ({ ...t, share: t.count / logs.length }));
}

interface Sample {
  rows: number;
  of: number;
  sampled: boolean;
  exact: boolean;
}
interface Top {
  value: string;
  count: number;
  errors: number;
  share: number;
}

describe('the sample plan', () => {
  const hours = HOUR_WEIGHTS.map((w, h) => ({ bucket: new Date(base + h * HOUR), count: w * 10_000 }));
  const edgeRange = { from: new Date(base + 20 * MINUTE), to: new Date(base + 4 * HOUR + 35 * MINUTE) };

  it('reads everything up to the bound', () => {
    expect(planRawSample(edgeRange, hours, 120_000)).toBeNull();
    expect(planRawSample(edgeRange, [], 10)).toBeNull();
  });

  it('spreads exactly the bound over the range in proportion to each hour, in slices inside it', () => {
    const slices = planRawSample(edgeRange, hours, 20_000)!;
    expect(slices.reduce((n, s) => n + s.limit, 0)).toBe(20_000);
    for (const [h, w] of HOUR_WEIGHTS.entries()) {
      const start = base + h * HOUR;
      const inHour = slices.filter((s) => s.from.getTime() >= start && s.to.getTime() <= start + HOUR);
      expect(Math.abs(inHour.reduce((n, s) => n + s.limit, 0) - (20_000 * w) / 12)).toBeLessThanOrEqual(1);
      // About 250 records a slice: the hour with a third of the traffic is cut into ~27 slices.
      if (w === 4) expect(inHour.length).toBe(27);
    }
    expect(slices[0]!.from).toEqual(edgeRange.from);
    expect(slices.at(-1)!.to).toEqual(edgeRange.to);
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.from).toEqual(slices[i - 1]!.to);
    for (const s of slices) expect(s.to.getTime() - s.from.getTime()).toBeGreaterThanOrEqual(MINUTE);
  });

  it('ignores hours without traffic or outside the range, and never cuts below a minute', () => {
    const slices = planRawSample(
      { from: new Date(base), to: new Date(base + 2 * MINUTE) },
      [
        { bucket: new Date(base), count: 1_000_000 },
        { bucket: new Date(base + HOUR), count: 5 },
        { bucket: new Date(base - HOUR), count: 0 },
      ],
      50_000,
    )!;
    expect(slices.map((s) => [s.to.getTime() - s.from.getTime(), s.limit])).toEqual([
      [MINUTE, 25_000],
      [MINUTE, 25_000],
    ]);
  });
});

describe.each(STORAGE_MODES)('top lists past the sample bound on %s', (mode) => {
  let gw: TestGateway;
  const vars = { range: { from: range.from.toISOString(), to: range.to.toISOString() } };

  async function q<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await gw.graphql<T>(query, { ...vars, ...variables });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!;
  }

  beforeAll(async () => {
    gw = await startTestGateway(mode, { env: { ANALYTICS_RAW_SAMPLE_ROWS: String(MAX_ROWS) } });
    // In order, so stored ids follow `seq`.
    for (let i = 0; i < records.length; i += 1000) {
      const chunk = records.slice(i, i + 1000).map((x) => ({
        timestamp: x.timestamp.toISOString(),
        service: x.service,
        method: x.method,
        path: x.path,
        status: x.status,
        latency_ms: 5,
        // Distinct requests may share every field and the millisecond; the id keeps them apart.
        request_id: `rs-${x.seq}`,
        ...(x.userAgent ? { user_agent: x.userAgent } : {}),
        ...(x.ipAddress ? { ip_address: x.ipAddress } : {}),
      }));
      const res = await gw.ingest(jsonLines(chunk));
      expect(await res.json()).toMatchObject({ accepted: chunk.length, rejected: 0 });
    }
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('the dataset is what the test relies on', () => {
    const all = records.filter(inRange);
    expect(all.length).toBeGreaterThan(4 * MAX_ROWS);
    // Over the whole range the early client is the busiest; the newest records never saw it.
    expect(tops(all, (l) => l.ipAddress, 1)[0]!.value).toBe('early-bird');
    expect(all.slice(-MAX_ROWS).some((l) => l.ipAddress === 'early-bird')).toBe(false);
  });

  it('patterns: labelled as a sample of the range, equal to the tops of the planned sample', async () => {
    const d = await q<{ patterns: { total: number; topUserAgents: Top[]; topClientIps: Top[]; topSample: Sample } }>(
      `query($range: TimeRange!) { patterns(range: $range, tz: "UTC", limit: 5) {
         total topUserAgents { value count errors share } topClientIps { value count errors share } topSample { rows of sampled exact } } }`,
    );
    const all = records.filter(inRange);
    const expected = expectedSample({});
    expect(expected.rows.length).toBe(MAX_ROWS);
    expect(d.patterns.total).toBe(all.length);
    expect(d.patterns.topSample).toEqual({ rows: MAX_ROWS, of: all.length, sampled: true, exact: false });
    expect(d.patterns.topUserAgents).toEqual(tops(expected.rows, (l) => l.userAgent, 5));
    expect(d.patterns.topClientIps).toEqual(tops(expected.rows, (l) => l.ipAddress, 5));
    // Spread over the range: the client busy only in the first hour leads, near its true share.
    const trueShare = all.filter((l) => l.ipAddress === 'early-bird').length / all.length;
    expect(d.patterns.topClientIps[0]!.value).toBe('early-bird');
    expect(Math.abs(d.patterns.topClientIps[0]!.share - trueShare)).toBeLessThan(0.03);
  });

  it('endpointDetail: a method on a route past the bound is sampled through the route, and says so', async () => {
    const d = await q<{ endpointDetail: { count: number; topClients: Top[]; topClientsSample: Sample } }>(
      `query($range: TimeRange!) { endpointDetail(range: $range, route: "/api/items/:id", method: "get", limit: 4) {
         count topClients { value count errors share } topClientsSample { rows of sampled exact } } }`,
    );
    const filter = { route: '/api/items/:id', method: 'GET' };
    const of = records.filter((l) => inRange(l) && matches(l, filter)).length;
    const expected = expectedSample(filter);
    expect(expected.sampled).toBe(true);
    expect(expected.rows.length).toBeLessThan(MAX_ROWS);
    expect(d.endpointDetail.count).toBe(of);
    expect(d.endpointDetail.topClientsSample).toEqual({ rows: expected.rows.length, of, sampled: true, exact: false });
    expect(d.endpointDetail.topClients).toEqual(tops(expected.rows, (l) => l.ipAddress, 4));
  });

  it('within the bound every record is counted: exact, and labelled exact', async () => {
    const d = await q<{ patterns: { topUserAgents: Top[]; topClientIps: Top[]; topSample: Sample } }>(
      `query($range: TimeRange!) { patterns(range: $range, service: "tiny", method: "get", limit: 3) {
         topUserAgents { value count errors share } topClientIps { value count errors share } topSample { rows of sampled exact } } }`,
    );
    const logs = records.filter((l) => inRange(l) && matches(l, { service: 'tiny', method: 'GET' }));
    expect(expectedSample({ service: 'tiny', method: 'GET' }).sampled).toBe(false);
    expect(d.patterns.topSample).toEqual({ rows: logs.length, of: logs.length, sampled: false, exact: true });
    expect(d.patterns.topUserAgents).toEqual(tops(logs, (l) => l.userAgent, 3));
    expect(d.patterns.topClientIps).toEqual(tops(logs, (l) => l.ipAddress, 3));
  });
});
