import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The folder path is the data path: each layer of gateway/src may import only the layers below
 * it (DESIGN: storage and domain know nothing of GraphQL, HTTP or AI; ingest knows nothing of
 * analytics). "logger", "config" and "context" are the root modules app.ts composes.
 */
const ALLOWED: Record<string, string[]> = {
  domain: [],
  storage: ['domain', 'generated', 'logger'],
  ingest: ['domain', 'storage'],
  analytics: ['domain', 'storage'],
  insights: ['domain', 'storage', 'analytics'],
  live: ['domain', 'storage', 'logger'],
  ai: ['domain', 'storage', 'analytics', 'insights', 'live', 'alerts', 'logger', 'config', 'context'],
  alerts: ['domain', 'storage', 'analytics', 'insights', 'live', 'logger', 'config'],
  graphql: ['domain', 'storage', 'analytics', 'insights', 'live', 'ai', 'alerts', 'generated', 'logger', 'config', 'context'],
  http: ['domain', 'storage', 'ingest', 'live', 'logger', 'config', 'context'],
};

const SRC = resolve(import.meta.dirname, '../src');

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') yield* sourceFiles(path);
    } else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** The layer a file belongs to: its top folder under src, or its name for root modules. */
const layerOf = (file: string): string => relative(SRC, file).split(sep)[0]!.replace(/\.ts$/, '');

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => resolve(file, '..', m[1]!));
}

describe('gateway layering', () => {
  it('every import points down the data path', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      if (!allowed) continue; // root modules (app.ts, main.ts, …) compose everything
      for (const target of imports(file)) {
        const to = layerOf(target);
        if (to !== layer && !allowed.includes(to)) violations.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('GraphQL errors are made in the one error mapping, or before execution where it cannot run', () => {
    // Resolvers throw domain errors (domain/errors.ts); graphql/error-mapping.ts gives them their
    // code. The others refuse an operation before any resolver runs, where no mapping applies:
    // scalar coercion, the cost guard, the GET-subscription check and graphql-ws's operation cap.
    const allowed = ['graphql/error-mapping.ts', 'graphql/scalars.ts', 'graphql/analysis-guard.ts', 'http/csrf.ts', 'http/websocket.ts'];
    const makers = [...sourceFiles(SRC)]
      .filter((file) => /new GraphQLError\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file).split(sep).join('/'));
    expect(makers.filter((file) => !allowed.includes(file))).toEqual([]);
  });

  it('keeps no per-pool or per-config state in modules: app.ts builds each service once', () => {
    const keyedByService = /\bWeak(?:Map|Set)<\s*(?:pg\.)?(?:Pool|PoolClient|GatewayConfig|Database|PrismaClient)\b/;
    const holders = [...sourceFiles(SRC)]
      .filter((file) => keyedByService.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(holders).toEqual([]);
  });
});
