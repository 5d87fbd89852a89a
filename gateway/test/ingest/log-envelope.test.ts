import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

describe.each(STORAGE_MODES)('Fluent Bit without a parser, on %s', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('stores the JSON lines of the capture and dead-letters the text line with how to add the parser', async () => {
    const body = readFileSync(new URL('../fixtures/fluentbit-json-noparser.json', import.meta.url));
    const res = await gw.ingest(body, { 'content-type': 'application/json' }, '?service=noparser');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; rejected: number; errors: { index: number; reason: string }[] };
    expect(answer).toMatchObject({ accepted: 2, rejected: 1, duplicate: false });
    expect(answer.errors[0]).toMatchObject({ index: 2 });
    const pool = gw.app.database!.pool;
    const rows = (await pool.query(`SELECT timestamp, path, method, status, latency_ms, user_agent, ip_address, request_id, extra FROM logs WHERE service = 'noparser' ORDER BY timestamp`)).rows;
    expect(rows).toMatchObject([
      { path: '/api/users/42', method: 'GET', status: 200, latency_ms: 12.5, user_agent: 'curl/8.0', ip_address: '10.0.0.1', request_id: 'r-1', extra: null },
      { path: '/api/error/500', method: 'POST', status: 500, latency_ms: 3, request_id: 'r-2', extra: null },
    ]);
    // The line's own time, not the time Fluent Bit read it.
    expect((rows[0].timestamp as Date).toISOString()).toBe('2026-11-25T10:00:01.123Z');
    const dead = (await pool.query(`SELECT reason, raw FROM dead_letters WHERE service = 'noparser'`)).rows;
    expect(dead).toHaveLength(1);
    expect(dead[0].reason).toMatch(/parser: logpulse_json/);
    expect(dead[0].raw).toContain('not json at all');
  });
});
