import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/domain/clock.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';

const HOUR = 3_600_000;
/** Two days ago, on a whole hour: far enough that a wall-clock "last 1h" cannot reach it. */
const PINNED = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;

const record = (at: number, path: string, id: string) => ({
  timestamp: new Date(at).toISOString(),
  request_id: id,
  method: 'GET',
  path,
  status: 200,
  latency_ms: 12,
  user_agent: 'clock-test',
  ip_address: '127.0.0.1',
});

describe.each(STORAGE_MODES)('analyses read the gateway clock (%s)', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(mode, { clock: fixedClock(PINNED) });
    const res = await gw.ingest(
      jsonLines([
        record(PINNED - 30 * 60_000, '/api/then', 'then-1'),
        record(PINNED - 30 * 60_000, '/api/then', 'then-2'),
        record(Date.now() - 60_000, '/api/now', 'now-1'),
      ]),
    );
    expect(res.status).toBe(200);
  });
  afterAll(() => gw?.close());

  it('resolves a relative range against the injected clock, not the wall clock', async () => {
    const { data, errors } = await gw.graphql<{ traffic: { range: { to: string }; points: { requests: number }[] } }>(
      '{ traffic(range: { last: "1h" }) { range { to } points { requests } } }',
    );
    expect(errors).toBeUndefined();
    expect(Date.parse(data!.traffic.range.to)).toBe(PINNED);
    expect(data!.traffic.points.reduce((n, p) => n + p.requests, 0)).toBe(2);
  });

  it('pins the per-endpoint figures the same way', async () => {
    const { data } = await gw.graphql<{ endpointUsage: { route: string; count: number }[] }>(
      '{ endpointUsage(range: { last: "1h" }) { route count } }',
    );
    expect(data!.endpointUsage).toEqual([{ route: '/api/then', count: 2 }]);
  });
});
