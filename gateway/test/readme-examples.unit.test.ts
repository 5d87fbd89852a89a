import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.ts';

// Users copy the README's queries into GraphiQL: every example must be valid against the schema.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/^#.*$/gm, ''));

describe('README GraphQL examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it.each(examples.flatMap((block) => splitOperations(block)).map((op) => [op.split('\n')[0]!.slice(0, 60), op]))('%s', (_name, op) => {
    const errors = validate(schema, parse(op)).map((e) => e.message);
    expect(errors).toEqual([]);
  });
});

/** A block may hold several operations (one per top-level { } or keyword); GraphQL parses them together only when named. */
function splitOperations(block: string): string[] {
  const ops: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of block) {
    current += ch;
    if (ch === '{') depth++;
    if (ch === '}') {
      depth--;
      if (depth === 0) {
        ops.push(current.trim());
        current = '';
      }
    }
  }
  return ops.filter((op) => op.length > 0);
}
