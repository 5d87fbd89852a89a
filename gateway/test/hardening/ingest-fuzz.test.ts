// Fuzzing /log/ingest: fast-check properties over the decode → validate pipeline (thousands of
// bodies, in-process), then thousands of generated bodies over real HTTP on both storage modes,
// then a round trip of hostile-but-valid records through storage and GraphQL.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkContentType, decodeRecords, IngestError, type DecodedItem } from '../../src/ingest/decode.ts';
import type { LogRecord } from '../../src/domain/log-record.ts';
import { parseRecord } from '../../src/ingest/record.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { deepJson, fuzzBody, PAYLOADS, recordLike, storedRecordProblems, type FuzzBody } from './fuzz-bodies.ts';
import { report } from './support.ts';

const MAX_DECODED = 128 * 1024 * 1024;
const PIPELINE_RUNS = Number(process.env.FUZZ_PIPELINE_RUNS ?? 8_000);
const HTTP_BODIES: Record<string, number> = {
  postgres: Number(process.env.FUZZ_HTTP_BODIES ?? 2_000),
  pglite: Number(process.env.FUZZ_HTTP_BODIES_PGLITE ?? 400),
};
// Ancient (2000-01-01) timestamps are valid: keep the retention sweep away from them.
const GATEWAY_ENV = { RETENTION_DAYS: '36500', ROLLUP_RETENTION_DAYS: '36500', INGEST_RATE_LIMIT_PER_SECOND: '0' };

interface LocalOutcome {
  status: number;
  records: LogRecord[];
  rejected: number;
}

/** The gateway's own decode and validation, called directly: what the HTTP answer must match. */
async function decodeLocally(b: FuzzBody, defaultService = 'default'): Promise<LocalOutcome> {
  try {
    checkContentType(b.headers['content-type']);
    const items: DecodedItem[] = [];
    await decodeRecords(b.body, b.headers['content-encoding'], MAX_DECODED, (item) => items.push(item));
    const now = Date.now();
    const records: LogRecord[] = [];
    let rejected = 0;
    for (const item of items) {
      const result = 'error' in item ? null : parseRecord(item.value, { defaultService, dateKey: 'date', zoneless: 'UTC', now });
      if (result?.ok) records.push(result.record);
      else rejected++;
    }
    return { status: 200, records, rejected };
  } catch (error) {
    if (error instanceof IngestError) return { status: error.status, records: [], rejected: 0 };
    throw error;
  }
}

describe('ingest pipeline properties (decode → validate, in-process)', () => {
  it(`never throws anything but a 400/413/415 IngestError, and accepts only storable records (${PIPELINE_RUNS} bodies)`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fuzzBody, async (b) => {
        const outcome = await decodeLocally(b);
        expect([200, 400, 413, 415]).toContain(outcome.status);
        for (const record of outcome.records) expect(storedRecordProblems(record)).toEqual([]);
        accepted += outcome.records.length;
      }),
      { numRuns: PIPELINE_RUNS },
    );
    report('ingest pipeline fuzz', { bodies: PIPELINE_RUNS, recordsAccepted: accepted });
    expect(accepted).toBeGreaterThan(PIPELINE_RUNS / 2); // the generator reaches the storage path, not only rejections
  }, 120_000);

  it('validates any JSON value without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), recordLike), (value) => {
        const result = parseRecord(value, { defaultService: 'default', dateKey: 'date', zoneless: 'UTC', now: Date.now() });
        if (result.ok) expect(storedRecordProblems(result.record)).toEqual([]);
        else expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe.each(STORAGE_MODES)('ingest fuzzing over HTTP (%s)', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(mode, { env: GATEWAY_ENV });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const post = (b: FuzzBody, query = '') => gw.ingest(b.body, b.headers, query);

  it('answers every generated body with the status its decoding predicts (never 5xx), stores exactly the valid records, and they all read back', async () => {
    const bodies = fc.sample(fuzzBody, { numRuns: HTTP_BODIES[mode]!, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) });
    const statuses = new Map<number, number>();
    let expectedStored = 0;
    let mismatches: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const b = bodies[i]!;
        const [res, local] = await Promise.all([post(b), decodeLocally(b)]);
        const body = (await res.json()) as { accepted?: number; rejected?: number; duplicate?: boolean; error?: string };
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status !== local.status)
          mismatches.push(`${b.kind}: HTTP ${res.status} (${body.error ?? ''}) but decoding says ${local.status}`);
        else if (res.status === 200 && !body.duplicate) {
          if (body.accepted !== local.records.length || body.rejected !== local.rejected)
            mismatches.push(`${b.kind}: ${JSON.stringify(body)} vs ${local.records.length}/${local.rejected}`);
          expectedStored += body.accepted ?? 0;
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    mismatches = mismatches.slice(0, 10);
    if (mismatches.length) console.log(mismatches);
    expect(mismatches).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);

    // Storage holds exactly what was acknowledged, all of it valid, rollups in step.
    const pool = gw.app.database!.pool;
    const { rows } = await pool.query<{ n: number; invalid: number; rollup: number }>(`
      SELECT count(*)::int AS n,
             count(*) FILTER (WHERE status NOT BETWEEN 100 AND 599 OR latency_ms < 0 OR latency_ms > 86400000 OR latency_ms = 'NaN'::float8
                                 OR path = '' OR length(path) > 2048 OR method !~ '^[A-Z][A-Z-]{0,15}$'
                                 OR timestamp < '2000-01-01' OR timestamp > now() + interval '25 hours')::int AS invalid,
             (SELECT coalesce(sum(count), 0) FROM rollup_minute)::int AS rollup
      FROM logs`);
    if (rows[0]!.invalid)
      console.log(
        (
          await pool.query(`SELECT id, timestamp::text, status, latency_ms, method, length(path) FROM logs WHERE status NOT BETWEEN 100 AND 599 OR latency_ms < 0 OR latency_ms > 86400000 OR latency_ms = 'NaN'::float8
                                 OR path = '' OR length(path) > 2048 OR method !~ '^[A-Z][A-Z-]{0,15}$'
                                 OR timestamp < '2000-01-01' OR timestamp > now() + interval '25 hours' LIMIT 5`)
        ).rows,
      );
    expect(rows[0]).toEqual({ n: expectedStored, invalid: 0, rollup: expectedStored });

    // Every stored row serialises through GraphQL (hostile strings, huge and tiny floats, odd JSON).
    let read = 0;
    let after: string | null = null;
    for (;;) {
      const page: {
        data?: { recentLogs: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
        errors?: unknown[];
      } = await gw.graphql(
        `query($after: String) { recentLogs(first: 500, after: $after) { edges { node { id timestamp service method path route status latencyMs userAgent ipAddress requestId bytes extra ingestedAt } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(page.errors).toBeUndefined();
      read += page.data!.recentLogs.edges.length;
      if (!page.data!.recentLogs.pageInfo.hasNextPage) break;
      after = page.data!.recentLogs.pageInfo.endCursor;
    }
    expect(read).toBe(expectedStored);
    report(`ingest HTTP fuzz (${mode})`, {
      bodies: bodies.length,
      stored: expectedStored,
      statuses: JSON.stringify(Object.fromEntries(statuses)),
    });
  }, 240_000);

  it('turns away pathological bodies with a 4xx (deep nesting, 1 MB strings, NaN, huge numbers), never a 5xx', async () => {
    const now = new Date().toISOString();
    const ok = { timestamp: now, path: '/x', method: 'GET', status: 200, latency_ms: 1 };
    const cases: { name: string; body: string; expect: number[] }[] = [
      ...[10_000, 100_000, 1_000_000].flatMap((d) => [
        { name: `array nested ${d} deep`, body: deepJson(d, 'array'), expect: [200, 400] },
        { name: `object nested ${d} deep`, body: deepJson(d, 'object'), expect: [200, 400] },
        {
          name: `record with extra nested ${d} deep`,
          body: JSON.stringify(ok).replace(/}$/, `,"deep":${deepJson(d, 'array')}}`),
          expect: [200, 400],
        },
      ]),
      {
        name: '1 MB path, user agent and extra',
        body: jsonLines([{ ...ok, path: `/${'p'.repeat(1 << 20)}`, user_agent: 'u'.repeat(1 << 20), note: 'n'.repeat(1 << 20) }]),
        expect: [200],
      },
      { name: 'NaN latency', body: JSON.stringify(ok).replace('"latency_ms":1', '"latency_ms":NaN'), expect: [400] },
      { name: 'NaN latency as text', body: jsonLines([{ ...ok, latency_ms: 'NaN' }]), expect: [200] },
      {
        name: 'huge numbers',
        body: JSON.stringify(ok).replace('"latency_ms":1', '"latency_ms":1e999').replace('"status":200', '"status":1e400'),
        expect: [200],
      },
      {
        name: 'SQL and script payloads everywhere',
        body: jsonLines(PAYLOADS.map((p) => ({ ...ok, path: `/${p}`, user_agent: p, ip_address: p, request_id: p, [p || 'k']: p }))),
        expect: [200],
      },
    ];
    for (const c of cases) {
      const res = await gw.ingest(c.body);
      const answer = (await res.json()) as { accepted?: number; rejected?: number; error?: string };
      expect(c.expect, `${c.name}: HTTP ${res.status} ${JSON.stringify(answer).slice(0, 200)}`).toContain(res.status);
    }
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('stores hostile-but-valid records exactly as validated, and GraphQL returns them unchanged', async () => {
    const service = `roundtrip-${randomBytes(3).toString('hex')}`;
    const samples = fc.sample(recordLike, { numRuns: 1_500, seed: 7 });
    const expected = new Map<string, LogRecord>();
    const bodies: string[] = [];
    let lines: object[] = [];
    samples.forEach((sample, i) => {
      const requestId = `rt-${i}`;
      const value = { ...(sample as Record<string, unknown>), request_id: requestId, service };
      const parsed = parseRecord(JSON.parse(JSON.stringify(value)), {
        defaultService: service,
        dateKey: 'date',
        zoneless: 'UTC',
        now: Date.now(),
      });
      if (!parsed.ok) return;
      expected.set(requestId, parsed.record);
      lines.push(value);
      if (lines.length === 100) {
        bodies.push(jsonLines(lines));
        lines = [];
      }
    });
    if (lines.length) bodies.push(jsonLines(lines));
    for (const body of bodies) expect((await gw.ingest(body)).status).toBe(200);

    const seen = new Map<string, Record<string, unknown>>();
    let after: string | null = null;
    do {
      const page: {
        data?: { recentLogs: { edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
        errors?: unknown[];
      } = await gw.graphql(
        `query($after: String, $service: String) { recentLogs(first: 500, after: $after, filter: { service: $service }) { edges { node { timestamp service method path status latencyMs userAgent ipAddress requestId bytes extra } } pageInfo { hasNextPage endCursor } } }`,
        { after, service },
      );
      expect(page.errors).toBeUndefined();
      for (const { node } of page.data!.recentLogs.edges) seen.set(node.requestId as string, node);
      after = page.data!.recentLogs.pageInfo.hasNextPage ? page.data!.recentLogs.pageInfo.endCursor : null;
    } while (after);

    expect(seen.size).toBe(expected.size);
    for (const [id, r] of expected) {
      expect(seen.get(id), id).toEqual({
        timestamp: r.timestamp.toISOString(),
        service: r.service,
        method: r.method,
        path: r.path,
        status: r.status,
        latencyMs: r.latencyMs,
        userAgent: r.userAgent,
        ipAddress: r.ipAddress,
        requestId: r.requestId,
        bytes: r.bytes,
        extra: r.extra,
      });
    }
    report(`ingest round trip (${mode})`, { records: expected.size, identical: seen.size });
  }, 120_000);
});
