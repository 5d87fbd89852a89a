import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationRangeHours } from '../../src/graphql/analysis-guard.ts';
import { schema } from '../../src/graphql/schema.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const hours = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  operationRangeHours(schema, parse(query), operationName, variables, NOW, 400);

describe('operationRangeHours (the range part of an operation’s cost)', () => {
  it('sums the hours of every field with a TimeRange, aliases included, literal or in variables', () => {
    expect(hours('{ services(range: {last: "30d"}) { service } }')).toEqual({ hours: 720, fields: 1 });
    expect(hours('{ a: services(range: {last: "2h"}) { service } b: traffic(range: {last: "1d"}) { bucketSeconds } }')).toEqual({
      hours: 26,
      fields: 2,
    });
    expect(
      hours('query($r: TimeRange!) { services(range: $r) { service } }', {
        r: { from: '2026-11-30T12:00:00Z', to: '2026-12-01T12:00:00Z' },
      }),
    ).toEqual({ hours: 24, fields: 1 });
  });

  it('counts a fragment at every place it is spread, and a field under another field', () => {
    const query = `query($r: TimeRange!) { a: traffic(range: $r) { ...T } b: traffic(range: $r) { ...T } }
      fragment T on Traffic { bucketSeconds }`;
    expect(hours(query, { r: { last: '10h' } })).toEqual({ hours: 20, fields: 2 });
    const spreadRange = `query { ...Q ...Q } fragment Q on Query { services(range: {last: "5h"}) { service } }`;
    expect(hours(spreadRange)).toEqual({ hours: 10, fields: 2 });
  });

  it('counts at least an hour for short ranges, nothing for fields without a range or ranges the resolver refuses', () => {
    expect(hours('{ services(range: {last: "5m"}) { service } }')).toEqual({ hours: 1, fields: 1 });
    expect(hours('{ aiInsights(first: 5) { edges { cursor } } }')).toEqual({ hours: 0, fields: 0 });
    expect(hours('{ services(range: {last: "365000d"}) { service } }')).toEqual({ hours: 0, fields: 0 });
  });

  it('looks only at the operation asked for', () => {
    const doc = 'query A { services(range: {last: "1d"}) { service } } query B { services(range: {last: "2d"}) { service } }';
    expect(hours(doc, {}, 'B')).toEqual({ hours: 48, fields: 1 });
  });
});
