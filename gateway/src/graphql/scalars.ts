import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime must be an ISO-8601 string, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return date;
}

builder.scalarType('DateTime', {
  description: 'An instant in time, as an ISO-8601 string in UTC (e.g. "2026-11-25T10:00:00.000Z").',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return toDate(ast.value);
  },
});

builder.scalarType('JSON', {
  description: 'Arbitrary JSON: the unknown keys a log record carried, kept as sent.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.queryType({ description: 'Analyses of the stored access logs, pipeline health and AI history.' });
