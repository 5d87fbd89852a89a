// Per-record idempotency: a line sent again in another batch (Fluent Bit re-reading a rotated file)
// is stored once, and the rollups count it once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';

const base = Date.now() - 5 * 60_000;
const line = (service: string, i: number, over: Record<string, unknown> = {}) => ({
  timestamp: new Date(base + i * 7).toISOString(),
  path: `/api/items/${i % 4}`,
  method: 'GET',
  status: 200,
  latency_ms: 10 + (i % 3),
  user_agent: 'dedup-test',
  ip_address: '10.1.0.1',
  request_id: `${service}-${i}`,
  ...over,
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe.each(STORAGE_MODES)('records sent twice, on %s', (mode) => {
  let gw: TestGateway;
  const query = async <T>(sql: string, params: unknown[] = []) => (await gw.app.database!.pool.query(sql, params)).rows as T[];
  const storedIds = async (service: string) =>
    (await query<{ request_id: string }>('SELECT request_id FROM logs WHERE service = $1', [service])).map((r) => r.request_id).sort();
  const rollupCount = async (service: string) =>
    Number((await query<{ n: string }>('SELECT coalesce(sum(count), 0) AS n FROM rollup_minute WHERE service = $1', [service]))[0]!.n);

  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('stores a line once when a later batch carries it again, and says how many it skipped', async () => {
    const svc = `dedup-${mode}`;
    const first = await gw.ingest(jsonLines(range(0, 10).map((i) => line(svc, i))), {}, `?service=${svc}`);
    expect(await first.json()).toEqual({ accepted: 10, rejected: 0, duplicate: false });
    // Another body (so not a batch retry): five old lines, five new ones, one line twice.
    const again = [...range(5, 15), 14].map((i) => line(svc, i));
    const second = await gw.ingest(jsonLines(again), {}, `?service=${svc}`);
    expect(await second.json()).toEqual({ accepted: 5, rejected: 0, duplicate: false, duplicates: 6 });
    expect(await storedIds(svc)).toEqual(range(0, 15).map((i) => `${svc}-${i}`).sort());
    expect(await rollupCount(svc)).toBe(15);
    const [batch] = await query<{ n: number }>('SELECT sum(duplicate_records)::int AS n FROM ingest_batches WHERE service = $1', [svc]);
    expect(batch!.n).toBe(6);
  });

  it('keeps records that differ in any field, even in the same millisecond', async () => {
    const svc = `distinct-${mode}`;
    const same = { timestamp: new Date(base).toISOString(), request_id: null };
    const records = [
      line(svc, 1, same),
      line(svc, 1, { ...same, latency_ms: 99 }),
      line(svc, 1, { ...same, ip_address: null }),
      line(svc, 1, { ...same, user_agent: null }),
      line(svc, 1, { ...same, extra_field: 'x' }),
      line(svc, 1, { ...same, request_id: 'r' }),
    ];
    const res = await gw.ingest(jsonLines(records), {}, `?service=${svc}`);
    expect(await res.json()).toEqual({ accepted: 6, rejected: 0, duplicate: false });
    // A record identical in every field to the millisecond is the same record (the Loki rule).
    const twice = await gw.ingest(jsonLines([line(svc, 1, same), line(svc, 2, same)]), {}, `?service=${svc}`);
    expect(await twice.json()).toEqual({ accepted: 1, rejected: 0, duplicate: false, duplicates: 1 });
    expect(await rollupCount(svc)).toBe(7);
  });

  it('stores each line once when overlapping batches arrive at the same time', async () => {
    const svc = `race-${mode}`;
    // Four bodies over lines 0..74, each overlapping the next by half: 120 lines sent, 75 distinct.
    const bodies = range(0, 4).map((b) => jsonLines(range(b * 15, b * 15 + 30).map((i) => line(svc, i))));
    const answers = await Promise.all(bodies.map(async (body) => (await gw.ingest(body, {}, `?service=${svc}`)).json() as Promise<{ accepted: number; duplicates?: number }>));
    expect(answers.reduce((n, a) => n + a.accepted, 0)).toBe(75);
    expect(answers.reduce((n, a) => n + (a.duplicates ?? 0), 0)).toBe(45);
    expect(await storedIds(svc)).toEqual(range(0, 75).map((i) => `${svc}-${i}`).sort());
    expect(await rollupCount(svc)).toBe(75);
  });
});
