import { describe, expect, it } from 'vitest';
import { ACCESS_RECORD_KEYS, FLAT_SHAPE, generateRecords, iterateRecords, parseIncident, resolveIncidents, type AccessRecord } from '../src/index.ts';

const from = Date.parse('2026-03-02T00:00:00Z'); // a Monday
const hour = 3_600_000;

const share500 = (list: AccessRecord[]) => list.filter((r) => r.status === 500).length / Math.max(1, list.length);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const at = (r: AccessRecord) => Date.parse(r.timestamp);

describe('generateRecords', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const options = { from, to: from + hour, rate: 2, seed: 5, incidents: ['errors:/api/users:10m@20m'] };
    const a = generateRecords(options);
    const b = generateRecords(options);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(1000);
    expect(generateRecords({ ...options, seed: 6 })).not.toEqual(a);
  });

  it('returns access-log records: contract keys, window, order, statuses of the mix', () => {
    const records = generateRecords({ from, to: from + hour, rate: 3, seed: 1, shape: FLAT_SHAPE, service: 'shop' });
    const keys = ACCESS_RECORD_KEYS.join(',');
    expect(records.filter((r) => Object.keys(r).join(',') !== keys)).toEqual([]);
    expect(records.filter((r) => at(r) < from || at(r) >= from + hour || r.service !== 'shop')).toEqual([]);
    expect(records.map(at)).toEqual(records.map(at).sort((x, y) => x - y));
    const statuses = new Set(records.map((r) => r.status));
    for (const status of [200, 201, 204, 400, 404, 500]) expect(statuses.has(status)).toBe(true);
    // Volume of a Poisson process: 3/s × 3600 s, within a few standard deviations.
    expect(Math.abs(records.length - 10_800)).toBeLessThan(500);
  });

  it('places an errors incident on its route and window only', () => {
    const records = generateRecords({ from, to: from + hour, rate: 5, seed: 2, shape: FLAT_SHAPE, incidents: ['errors:/api/users:10m@-20m'] });
    const start = from + 40 * 60_000;
    const end = start + 10 * 60_000;
    const users = records.filter((r) => r.path.startsWith('/api/users'));
    const inside = users.filter((r) => at(r) >= start && at(r) < end);
    const outside = users.filter((r) => at(r) < start || at(r) >= end);
    expect(share500(inside)).toBeGreaterThan(0.5);
    expect(share500(inside)).toBeLessThan(0.7);
    expect(share500(outside)).toBe(0);
    const productsInside = records.filter((r) => r.path.startsWith('/api/products') && at(r) >= start && at(r) < end);
    expect(share500(productsInside)).toBe(0);
  });

  it('adds the latency of a latency incident (mean +1500 ms by default) to its route', () => {
    const records = generateRecords({ from, to: from + hour, rate: 5, seed: 3, shape: FLAT_SHAPE, incidents: ['latency:/api/products:15m@30m'] });
    const start = from + 30 * 60_000;
    const end = start + 15 * 60_000;
    const reads = (inWindow: boolean) =>
      records.filter((r) => /^\/api\/products\/\d+$/.test(r.path) && r.method === 'GET' && at(r) >= start === inWindow && at(r) < end === inWindow);
    const before = records.filter((r) => /^\/api\/products\/\d+$/.test(r.path) && r.method === 'GET' && at(r) < start);
    expect(mean(reads(true).map((r) => r.latency_ms)) - mean(before.map((r) => r.latency_ms))).toBeGreaterThan(1300);
    expect(mean(before.map((r) => r.latency_ms))).toBeLessThan(50);
  });

  it('multiplies volume during a spike', () => {
    const records = generateRecords({ from, to: from + hour, rate: 2, seed: 4, shape: FLAT_SHAPE, incidents: ['spike:4x:10m@10m'] });
    const spike = records.filter((r) => at(r) >= from + 10 * 60_000 && at(r) < from + 20 * 60_000).length;
    const calm = records.filter((r) => at(r) >= from + 30 * 60_000 && at(r) < from + 40 * 60_000).length;
    expect(spike / calm).toBeGreaterThan(3.3);
    expect(spike / calm).toBeLessThan(4.8);
  });

  it('follows the daily shape: the peak hour is busier than the trough, weekends quieter', () => {
    const day = generateRecords({ from, to: from + 24 * hour, rate: 1, seed: 8, shape: { amplitude: 0.6, peakHour: 14, timeZone: 'UTC' } });
    const inHour = (h: number) => day.filter((r) => new Date(at(r)).getUTCHours() === h).length;
    expect(inHour(14) / inHour(2)).toBeGreaterThan(2.5);
    const saturday = Date.parse('2026-03-07T00:00:00Z');
    const weekend = generateRecords({ from: saturday, to: saturday + 24 * hour, rate: 1, seed: 8, shape: { amplitude: 0.6, weekendFactor: 0.5, timeZone: 'UTC' } });
    expect(weekend.length / day.length).toBeGreaterThan(0.4);
    expect(weekend.length / day.length).toBeLessThan(0.6);
  });

  it('streams with iterateRecords and reports bad options clearly', () => {
    const first = iterateRecords({ from, to: from + 10 * hour, rate: 100, seed: 1 }).next().value as AccessRecord;
    expect(at(first)).toBeGreaterThanOrEqual(from);
    expect(() => generateRecords({ from, to: from - 1, rate: 1 })).toThrow(/after/);
    expect(() => generateRecords({ from: 'yesterday', to: from, rate: 1 })).toThrow(/from/);
    expect(() => generateRecords({ from, to: from + hour, rate: 0 })).toThrow(/rate/);
    expect(() => generateRecords({ from, to: from + hour, rate: 1, shape: { timeZone: 'Mars/Olympus' } })).toThrow(/time zone/);
  });
});

describe('incident specs', () => {
  it('parses kinds, targets, durations and start offsets', () => {
    expect(parseIncident('latency:/api/products:5m')).toEqual({ kind: 'latency', route: '/api/products', duration: '5m' });
    expect(parseIncident('errors:/api/users/:id:2m@-2h')).toEqual({ kind: 'errors', route: '/api/users/:id', duration: '2m', at: '-2h' });
    expect(parseIncident('spike:3x:1m@2m')).toEqual({ kind: 'spike', factor: 3, duration: '1m', at: '2m' });
    const window = { startMs: from, endMs: from + 24 * hour };
    const [late, ago, absolute] = resolveIncidents(['spike:2x:1m@2m', 'errors:/api/users:10m@-2h', 'latency:*:1h@2026-03-02T06:00:00Z'], window);
    expect(late).toMatchObject({ startMs: from + 120_000, endMs: from + 180_000, factor: 2 });
    expect(ago).toMatchObject({ startMs: from + 22 * hour, endMs: from + 22 * hour + 600_000, errorRate: 0.6, status: 500 });
    expect(absolute).toMatchObject({ startMs: from + 6 * hour, route: '*', addedLatencyMs: 1500 });
  });

  it('rejects malformed specs with a message that says what is wrong', () => {
    expect(() => parseIncident('latency')).toThrow(/kind:target:duration/);
    expect(() => parseIncident('outage:/api:5m')).toThrow(/unknown kind/);
    expect(() => resolveIncidents(['latency:/api/products:5x'], { startMs: 0 })).toThrow(/duration/);
    expect(() => resolveIncidents(['latency:api/products:5m'], { startMs: 0 })).toThrow(/not a route/);
    expect(() => resolveIncidents(['spike:lots:5m'], { startMs: 0 })).toThrow(/factor/);
    expect(() => resolveIncidents(['errors:/api/users:5m@soon'], { startMs: 0 })).toThrow(/offset/);
    expect(() => resolveIncidents(['errors:/api/users:5m@-1h'], { startMs: 0 })).toThrow(/backfill/);
  });
});
