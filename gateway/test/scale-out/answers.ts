// Every analysis, with every field it can return, built from the checked-in schema, so a
// comparison of two gateways covers fields added later without editing the test.
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { expect } from 'vitest';

const schema = buildSchema(readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'));

/** Every field reachable from `type` whose arguments are all optional, to `depth` levels. */
export function fullSelection(type: GraphQLObjectType, depth = 6): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isScalarType(named) || isEnumType(named)) parts.push(field.name);
    else if (isObjectType(named) && depth > 1) {
      const inner = fullSelection(named, depth - 1);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

/** `query($range: TimeRange!) { field(range: $range, args) { everything } }` for one Query field. */
export function analysisQuery(field: string, args = ''): string {
  const def = schema.getQueryType()!.getFields()[field];
  if (!def) throw new Error(`no Query.${field} in schema.graphql`);
  const type = getNamedType(def.type);
  const selection = isObjectType(type) ? ` { ${fullSelection(type)} }` : '';
  const takesRange = def.args.some((a) => a.name === 'range');
  const all = [takesRange ? 'range: $range' : '', args].filter(Boolean).join(', ');
  return `query${takesRange ? '($range: TimeRange!)' : ''} { ${field}${all ? `(${all})` : ''}${selection} }`;
}

/**
 * The same answer, field by field. Numbers may differ in the last bits only (a sum of doubles
 * over shards adds in another order); everything else must be identical.
 */
export function expectSameAnswer(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const scale = Math.max(1, Math.abs(expected));
    expect(Math.abs(actual - expected) / scale, `${path}: ${actual} vs ${expected}`).toBeLessThan(1e-9);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is a list`).toBe(true);
    expect((actual as unknown[]).length, `${path} length`).toBe(expected.length);
    expected.forEach((e, i) => expectSameAnswer((actual as unknown[])[i], e, `${path}[${i}]`));
    return;
  }
  if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object', `${path} is an object`).toBeTruthy();
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) {
      // When each database stored the record: the two gateways ingested at different moments.
      if (k === 'ingestedAt') continue;
      expectSameAnswer((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}
