// Fuzzing GraphQL arguments: every Query field, with arguments generated from the schema itself
// (ranges, limits, filters, cursors, time zones, enums — valid, hostile and of the wrong type),
// against a gateway holding data. Never a 5xx, never an unexpected (masked) error.
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { record } from '../live/support.ts';
import { hostileNumber, hostileString, PAYLOADS } from './fuzz-bodies.ts';
import { report } from './support.ts';

const CASES = Number(process.env.FUZZ_GRAPHQL_CASES ?? 1_200);

const durations = fc.constantFrom('5m', '1h', '24h', '7d', '30d', '0m', '-1h', '1s', '999999d', '1.5h', 'h', '', '1e9m', '10y');
const dates = fc.oneof(
  fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -3 * 86_400_000, max: 3_600_000 }).map((d) => new Date(Date.now() + d).toISOString()),
  fc.constantFrom('2026-02-30T00:00:00Z', 'yesterday', '0', '+275760-09-13T00:00:00Z', '2026-11-25', '2026-11-25T10:00:00+14:00'),
);
const zones = fc.constantFrom(
  'UTC',
  'Asia/Seoul',
  'America/New_York',
  'Europe/Berlin',
  '+05:30',
  'Mars/Olympus',
  'Etc/GMT+12',
  "UTC'; DROP TABLE logs; --",
);
const routes = fc.constantFrom('/api/users/:id', '/api/items/:id', '/', '/:other', '/api/products');
const methods = fc.constantFrom('GET', 'POST', 'get', 'BREW', '');

/** A value for an argument or input field of `type`, by name where the name says more than the type. */
function valueFor(type: GraphQLInputType, name: string, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(hostileString, hostileNumber.filter(Number.isFinite), fc.boolean(), fc.constant({}), fc.constant([]));
  if (isNonNullType(type))
    return fc.oneof({ arbitrary: valueFor(type.ofType, name, depth), weight: 30 }, { arbitrary: fc.constant(null), weight: 1 });
  const inner = (() => {
    if (isListType(type)) return fc.array(valueFor(type.ofType, name, depth + 1), { maxLength: 4 });
    if (isInputObjectType(type) && type.name === 'TimeRange') {
      // Mostly well-formed (either `last` or `from`/`to`), so analyses run; sometimes anything.
      return fc.oneof(
        { arbitrary: fc.record({ last: durations }), weight: 5 },
        { arbitrary: fc.tuple(dates, dates).map(([from, to]) => (from < to ? { from, to } : { from: to, to: from })), weight: 4 },
        { arbitrary: fc.record({ from: dates, to: dates, last: durations }, { requiredKeys: [] }), weight: 2 },
      );
    }
    if (isInputObjectType(type)) {
      if (depth > 3) return fc.constant({});
      const fields = type.getFields();
      return fc.record(Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, valueFor(field.type, key, depth + 1)])), {
        requiredKeys: [],
      });
    }
    if (isEnumType(type))
      return fc.oneof(
        { arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)), weight: 8 },
        { arbitrary: hostileString, weight: 1 },
      );
    const lower = name.toLowerCase();
    if (lower === 'last' || lower === 'bucket' || lower.endsWith('duration')) return fc.oneof(durations, hostileString);
    if (lower === 'tz') return fc.oneof(zones, hostileString);
    if (lower === 'route') return fc.oneof(routes, hostileString);
    if (lower === 'method') return fc.oneof(methods, hostileString);
    if (lower === 'after' || lower === 'cursor')
      return fc.oneof(
        hostileString,
        fc.string().map((s) => Buffer.from(s).toString('base64url')),
      );
    if (type.name === 'Int' && ['first', 'limit', 'last', 'minrequests', 'windowminutes'].includes(lower)) {
      return fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 200 }), weight: 8 },
        { arbitrary: fc.constantFrom(0, -1, 500, 501, 1000, 1001, 2 ** 31 - 1), weight: 2 },
      );
    }
    if (lower === 'statusclass')
      return fc.oneof(
        { arbitrary: fc.integer({ min: 2, max: 5 }), weight: 8 },
        { arbitrary: fc.integer({ min: -10, max: 10 }), weight: 2 },
      );
    if (lower === 'status')
      return fc.oneof(
        { arbitrary: fc.constantFrom(200, 201, 404, 500, 503), weight: 8 },
        { arbitrary: fc.integer({ min: -1000, max: 1000 }), weight: 2 },
      );
    switch (type.name) {
      case 'Int':
        return fc.oneof(fc.integer({ min: -2, max: 600 }), fc.constantFrom(0, 1, 500, 501, 1000, 1001, 2 ** 31 - 1, -(2 ** 31)));
      case 'Float':
        return fc.oneof(fc.double({ min: -1e6, max: 1e9, noNaN: true }), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324));
      case 'Boolean':
        return fc.boolean();
      case 'DateTime':
        return dates;
      case 'JSON':
        return fc.jsonValue({ maxDepth: 3 });
      default:
        return fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...PAYLOADS));
    }
  })();
  return fc.oneof({ arbitrary: inner, weight: 20 }, { arbitrary: fc.constant(null), weight: 1 }, { arbitrary: wrong, weight: 1 });
}

/** The leaf fields of a type a few levels down, skipping fields that need arguments. */
function selection(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) || depth > 3) return '{ __typename }';
  const parts: string[] = [];
  for (const field of Object.values((named as GraphQLObjectType).getFields())) {
    if (field.args.some((a) => isNonNullType(a.type))) continue;
    if (isLeafType(getNamedType(field.type))) parts.push(field.name);
    else if (depth < 3) parts.push(`${field.name} ${selection(field.type, depth + 1)}`);
  }
  return `{ __typename ${parts.join(' ')} }`;
}

function operationFor(field: GraphQLField<unknown, unknown>): string {
  const defs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `query Fuzz${defs ? `(${defs})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection(field.type)} }`;
}

describe('GraphQL argument fuzzing', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { AI_RATE_LIMIT_PER_MINUTE: '100000' } });
    // Some data, so analyses run their SQL over rows rather than returning early.
    const now = Date.now();
    const rows = Array.from({ length: 2_000 }, (_, i) =>
      record({
        timestamp: new Date(now - (i % 1440) * 60_000).toISOString(),
        path: ['/api/users/1', '/api/items/7', '/', '/api/products'][i % 4]!,
        method: i % 3 ? 'GET' : 'POST',
        status: [200, 200, 201, 404, 500, 503][i % 6]!,
        latency_ms: (i % 97) * 3.3,
        service: i % 5 ? 'svc-a' : 'svc-b',
      }),
    );
    expect((await gw.ingest(jsonLines(rows))).status).toBe(200);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it(`answers ${CASES} generated argument sets on every Query field without a 5xx or an unexpected error`, async () => {
    const fields = Object.values(schema.getQueryType()!.getFields()).filter((f) => !f.name.startsWith('__'));
    expect(fields.length).toBeGreaterThan(10);
    const cases = fc.sample(
      fc.constantFrom(...fields).chain((field) =>
        fc
          .record(Object.fromEntries(field.args.map((a) => [a.name, valueFor(a.type, a.name)])), {
            requiredKeys: field.args.filter((a) => isNonNullType(a.type)).map((a) => a.name),
          })
          .map((variables) => ({ field, variables })),
      ),
      { numRuns: CASES, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    const outcomes = { data: 0, userErrors: 0 };
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const { field, variables } = cases[i]!;
        const res = await fetch(`${gw.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: JSON.stringify({ query: operationFor(field), variables }),
        });
        const body = (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
        const unexpected = (body.errors ?? []).filter(
          (e) => e.message === 'Unexpected error.' || e.extensions?.code === 'INTERNAL_SERVER_ERROR',
        );
        if (res.status >= 500 || unexpected.length > 0)
          failures.push(
            `${field.name}(${JSON.stringify(variables).slice(0, 300)}) → HTTP ${res.status} ${JSON.stringify(body.errors).slice(0, 400)}`,
          );
        else if (body.errors?.length) outcomes.userErrors++;
        else outcomes.data++;
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    report('GraphQL argument fuzz', {
      cases: cases.length,
      fields: fields.length,
      answered: outcomes.data,
      refusedAsBadInput: outcomes.userErrors,
      failures: failures.length,
    });
    expect(failures.slice(0, 8)).toEqual([]);
    expect(outcomes.data).toBeGreaterThan(CASES / 10);
  }, 240_000);
});
