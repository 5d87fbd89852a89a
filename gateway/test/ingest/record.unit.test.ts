import { describe, expect, it } from 'vitest';
import { parseRecord, parseTimestamp, type RecordContext } from '../../src/ingest/record.ts';

const ctx: RecordContext = { defaultService: 'checkout', dateKey: 'date', zoneless: 'UTC', now: Date.parse('2026-11-25T12:00:00Z') };
const base = { path: '/api/users/1', method: 'GET', status: 200, latency_ms: 12.5, user_agent: 'curl/8.0', ip_address: '10.0.0.7' };

function ok(value: unknown, c: RecordContext = ctx) {
  const r = parseRecord(value, c);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.record;
}
function reason(value: unknown): string {
  const r = parseRecord(value, ctx);
  if (r.ok) throw new Error('expected a rejection');
  return r.reason;
}

describe('parseTimestamp', () => {
  it('reads ISO-8601 with zone, with 6 fractional digits, without zone (UTC) and epochs', () => {
    expect(parseTimestamp('2026-11-25T10:00:01.123Z', 'UTC')).toBe(Date.parse('2026-11-25T10:00:01.123Z'));
    expect(parseTimestamp('2026-11-25T10:00:01.123000Z', 'UTC')).toBe(Date.parse('2026-11-25T10:00:01.123Z'));
    expect(parseTimestamp('2026-11-25T10:00:01', 'UTC')).toBe(Date.parse('2026-11-25T10:00:01Z'));
    expect(parseTimestamp('2026-11-25T10:00:01+09:00', 'UTC')).toBe(Date.parse('2026-11-25T01:00:01Z'));
    expect(parseTimestamp(1795600801.5, 'UTC')).toBe(1795600801500);
    expect(parseTimestamp(1795600801500, 'UTC')).toBe(1795600801500);
    expect(parseTimestamp('1795600801', 'UTC')).toBe(1795600801000);
    expect(parseTimestamp('yesterday', 'UTC')).toBeNull();
    expect(parseTimestamp(Number.NaN, 'UTC')).toBeNull();
    expect(parseTimestamp({}, 'UTC')).toBeNull();
  });
});

describe('parseRecord', () => {
  it('normalises a Fluent Bit record and keeps unknown keys in extra', () => {
    const r = ok({ date: 1795600000.1, timestamp: '2026-11-25T10:00:01.123Z', ...base, region: 'kr', nested: { a: [1, 2] } });
    expect(r.timestamp.toISOString()).toBe('2026-11-25T10:00:01.123Z');
    expect(r).toMatchObject({ service: 'checkout', method: 'GET', status: 200, latencyMs: 12.5, ipAddress: '10.0.0.7' });
    expect(r.extra).toEqual({ region: 'kr', nested: { a: [1, 2] } });
  });

  it('accepts the original system shape: client_ip, zone-less seconds, integer latency, string numbers', () => {
    const r = ok({ date: 1795600801.0, timestamp: '2026-11-25T10:00:01', method: 'post', path: '/api/order/checkout', status: '500', latency_ms: 312, client_ip: '127.0.0.1' });
    expect(r).toMatchObject({ method: 'POST', status: 500, latencyMs: 312, ipAddress: '127.0.0.1', userAgent: null });
    expect(r.timestamp.toISOString()).toBe('2026-11-25T10:00:01.000Z');
    expect(r.extra).toBeNull();
  });

  it('falls back to the Fluent Bit date key (default or configured) when there is no timestamp', () => {
    expect(ok({ date: 1795600801.25, ...base }).timestamp.toISOString()).toBe('2026-11-25T10:00:01.250Z');
    const r = ok({ fb_date: 1795635574.595324, ...base }, { ...ctx, dateKey: 'fb_date' });
    expect(r.timestamp.getTime()).toBe(1795635574595);
    expect(r.extra).toBeNull();
  });

  it('prefers the record service over the batch default', () => {
    expect(ok({ ...base, timestamp: 1795600801, service: 'billing' }).service).toBe('billing');
  });

  it('rejects bad records with a reason naming the field', () => {
    expect(reason({ ...base, timestamp: 1795600801, status: 'abc' })).toMatch(/^status: status must be a number/);
    expect(reason({ ...base, timestamp: 1795600801, status: 99 })).toMatch(/^status:/);
    expect(reason({ ...base, timestamp: 1795600801, latency_ms: -1 })).toMatch(/^latency_ms:/);
    expect(reason({ ...base, timestamp: 1795600801, latency_ms: 'NaN' })).toMatch(/^latency_ms:/);
    expect(reason({ ...base, timestamp: 1795600801, method: 'GET /' })).toMatch(/^method:/);
    expect(reason({ ...base, timestamp: 1795600801, path: 42 })).toMatch(/^path:/);
    expect(reason({ ...base, timestamp: 1795600801, service: "x'; drop table logs" })).toMatch(/^service:/);
    expect(reason({ ...base })).toMatch(/^timestamp: missing/);
    expect(reason({ ...base, timestamp: 'soon' })).toMatch(/^timestamp: not ISO-8601/);
    expect(reason({ ...base, timestamp: '1999-12-31T23:59:59Z' })).toMatch(/out of range/);
    expect(reason({ ...base, timestamp: '2026-11-27T12:00:00Z' })).toMatch(/out of range/);
    expect(reason([1, 2])).toMatch(/must be a JSON object, got array/);
    expect(reason('text')).toMatch(/got string/);
    expect(reason(null)).toMatch(/got null/);
  });

  it('makes strings safe for PostgreSQL (NUL removed, lone surrogates replaced) and bounds sizes', () => {
    const r = ok({ ...base, timestamp: 1795600801, user_agent: `a\u0000b\ud800${'x'.repeat(5000)}`, note: 'n\u0000' });
    expect(r.userAgent).toMatch(/^ab\ufffdx+$/);
    expect(r.userAgent?.length).toBe(1024);
    expect(r.extra).toEqual({ note: 'n' });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(reason({ ...base, timestamp: 1795600801, deep })).toMatch(/nested deeper/);
    expect(reason({ ...base, timestamp: 1795600801, big: 'x'.repeat(20000) })).toMatch(/extra fields too large/);
  });
});
