import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { seededRandom } from '@logpulse/testkit/random';

/**
 * A checkout endpoint with ~6 requests a minute — too few for any one minute to say anything —
 * has a 20-minute incident (40 % 5xx, 10× latency). Ranges up to 6 h analyse minute buckets, so
 * the detector must pool the small endpoint into buckets big enough to judge (issue 15 item 4),
 * while a twin endpoint with the same traffic and no incident stays quiet.
 */

const MINUTE = 60_000;
const HOURS = 5;
// Whole minutes, so the incident covers whole buckets of every size the detector may use.
const end = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
const start = end - HOURS * 60 * MINUTE;
const incident = { start: end - 50 * MINUTE, end: end - 30 * MINUTE };

function traffic(route: string, method: string, seed: number, withIncident: boolean): object[] {
  const random = seededRandom(seed);
  const records: object[] = [];
  for (let t = start; t < end; t += MINUTE) {
    const n = 4 + Math.floor(random() * 5); // 4..8 a minute, ~6 on average
    const bad = withIncident && t >= incident.start && t < incident.end;
    for (let i = 0; i < n; i++) {
      const latency = 60 + random() * 60;
      records.push({
        timestamp: new Date(t + Math.floor(random() * MINUTE)).toISOString(),
        path: route,
        method,
        status: bad ? (random() < 0.4 ? 503 : 200) : random() < 0.01 ? 500 : 200,
        latency_ms: Math.round(bad ? latency * 10 : latency),
        user_agent: 'shop-client',
        ip_address: `10.2.0.${i}`,
        service: 'shop',
      });
    }
  }
  return records;
}

interface Anomaly {
  kind: string;
  route: string | null;
  start: string;
  end: string;
  explanation: string;
}

describe.each(STORAGE_MODES)('anomalies on a small endpoint on %s', (mode) => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(mode);
    const records = [...traffic('/api/checkout', 'POST', 11, true), ...traffic('/api/cart', 'POST', 12, false)];
    for (let i = 0; i < records.length; i += 2000) {
      const res = await gw.ingest(jsonLines(records.slice(i, i + 2000)));
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function anomalies(range: string, route: string, method: string | null): Promise<Anomaly[]> {
    const res = await gw.graphql<{ anomalies: { anomalies: Anomaly[] } }>(
      `query($range: String!, $route: String, $method: String) {
        anomalies(range: {last: $range}, service: "shop", route: $route, method: $method, sensitivity: HIGH) { anomalies { kind route start end explanation } } }`,
      { range, route, method },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.anomalies.anomalies;
  }

  const overlapsIncident = (a: Anomaly) => Date.parse(a.start) < incident.end && Date.parse(a.end) > incident.start;

  it.each(['6h', '3h', '90m'])('finds the 20-minute incident over the last %s, filtered to the route', async (range) => {
    for (const method of ['POST', null]) {
      const found = await anomalies(range, '/api/checkout', method);
      const kinds = found.filter(overlapsIncident).map((a) => a.kind);
      expect(kinds, `method ${method}`).toContain('ERROR_RATE');
      expect(kinds, `method ${method}`).toContain('LATENCY');
      // Nothing outside the incident (a window may reach one bucket past it).
      expect(
        found.filter((a) => !overlapsIncident(a)),
        `method ${method}`,
      ).toEqual([]);
    }
  });

  it('reports nothing on the twin endpoint without an incident', async () => {
    expect(await anomalies('6h', '/api/cart', 'POST')).toEqual([]);
    expect(await anomalies('3h', '/api/cart', null)).toEqual([]);
  });
});
