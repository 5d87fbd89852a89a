import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Workspaces use each other through their package `exports` (`@logpulse/gateway/storage/db`,
 * `@logpulse/testkit/sse`…), never through relative paths into another workspace's folders:
 * what a workspace offers is then written down in one place, and moving a file inside it
 * breaks nobody silently. The root package (bench/, e2e/, scripts/, test/) counts as one more.
 */

const ROOT = resolve(import.meta.dirname, '..');
const WORKSPACES: string[] = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;

/** The workspace a repository path belongs to ("." for the root package). */
const workspaceOf = (path: string): string => WORKSPACES.find((w) => path === w || path.startsWith(`${w}/`)) ?? '.';

function sources(): string[] {
  const tracked = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.mts', '*.mjs', '*.js'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return tracked.split('\n').filter((p) => p && !p.includes('node_modules/') && !p.includes('/generated/') && !p.includes('/gql/'));
}

/**
 * Root build configuration a workspace's tooling reads, not code it uses: codegen.ts generates
 * web/src/gql from schema.graphql for both `npm run codegen` and the web workspace's scripts.
 */
const ROOT_CONFIG = new Set(['codegen.ts']);

const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

describe('workspaces', () => {
  it('import each other through package exports, not relative paths', () => {
    const crossings: string[] = [];
    for (const file of sources()) {
      const from = workspaceOf(file);
      const text = readFileSync(resolve(ROOT, file), 'utf8');
      for (const [, spec] of text.matchAll(RELATIVE_IMPORT)) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec!))
          .split(sep)
          .join('/');
        if (target.startsWith('..') || ROOT_CONFIG.has(target)) continue; // outside the repository, or configuration
        if (workspaceOf(target) !== from) crossings.push(`${file} -> ${spec}`);
      }
    }
    expect(crossings).toEqual([]);
  });
});
