import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordFieldsBySchema, recordFieldsFast, type RecordFields } from '../../src/ingest/record.ts';

// The fast path must never disagree with the schema: same output whenever it answers, and no
// answer (so the schema decides and explains) whenever the schema would reject.
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\u0000\u0000',
  'a\u0000b',
  '\ud800x',
  'x'.repeat(3000),
  '12',
  ' 7 ',
  '1e3',
  '-1',
  'abc',
  'GET',
  'get ',
  ' post',
  'G-ET',
  'GET!',
  'A'.repeat(17),
);
const numbers = fc.constantFrom(
  0,
  -0,
  1,
  99,
  100,
  200,
  599,
  600,
  1.5,
  12.345,
  -1,
  86_400_000,
  86_400_001,
  2_147_483_647,
  2_147_483_648,
  1e21,
  Infinity,
  -Infinity,
  NaN,
);
const anyValue = fc.oneof(
  nasty,
  numbers,
  fc.string({ maxLength: 20 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, undefined, true, false),
  fc.constant({}),
  fc.constant([1]),
);
const field = <T>(typical: fc.Arbitrary<T>) => fc.oneof({ arbitrary: typical, weight: 3 }, { arbitrary: anyValue, weight: 2 });
const record = fc.record(
  {
    path: field(fc.constantFrom('/api/users/1', '/', '/a?b=c')),
    method: field(fc.constantFrom('GET', 'post', ' Put ', 'PROPFIND')),
    status: field(fc.integer({ min: 100, max: 599 })),
    latency_ms: field(fc.double({ min: 0, max: 100_000, noNaN: true })),
    user_agent: field(fc.constantFrom('curl/8', 'Mozilla/5.0', '')),
    ip_address: field(fc.constantFrom('10.0.0.1', '::1')),
    client_ip: field(fc.constantFrom('127.0.0.1')),
    request_id: field(fc.constantFrom('req-1', 'x'.repeat(200))),
    service: field(fc.constantFrom('checkout', 'a.b:c/d-e', 'bad name', 'x'.repeat(65))),
    bytes: field(fc.integer({ min: 0, max: 1_000_000 })),
  },
  { requiredKeys: [] },
);

/** Consumers read service and bytes with `??`: undefined and null mean the same there. */
const normalized = (f: RecordFields) => ({ ...f, service: f.service ?? null, bytes: f.bytes ?? null });

describe('recordFieldsFast', () => {
  it('agrees with the schema on every record it answers, and leaves every record the schema rejects to the schema', () => {
    fc.assert(
      fc.property(record, (input) => {
        const fast = recordFieldsFast(input);
        if (fast === null) return;
        const schema = recordFieldsBySchema(input);
        expect(schema).not.toBeNull();
        expect(normalized(fast)).toEqual(normalized(schema!));
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers the records Fluent Bit sends (so the schema is the exception)', () => {
    const typical = {
      path: '/api/users/42',
      method: 'GET',
      status: 200,
      latency_ms: 12.3,
      user_agent: 'curl/8',
      ip_address: '10.0.0.1',
      request_id: 'r1',
      service: 'checkout',
      bytes: 512,
    };
    expect(recordFieldsFast(typical)).toEqual(recordFieldsBySchema(typical));
    const original = { path: '/api/order', method: 'post', status: 500, latency_ms: 312, client_ip: '127.0.0.1' };
    expect(normalized(recordFieldsFast(original)!)).toEqual(normalized(recordFieldsBySchema(original)!));
    expect(recordFieldsFast({ ...typical, status: '200' })).toBeNull();
  });
});
