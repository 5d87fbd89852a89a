import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.ts';

// The flags keep gateway RSS inside its budget; a launcher that forgets them silently loses that.
// (The Dockerfile's CMD is checked in test/deploy/dockerfiles.unit.test.ts.)
describe('gateway launchers', () => {
  const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

  it.each(['gateway/package.json', 'scripts/start.ts', 'testkit/src/gateway-process.ts'])(
    '%s starts the gateway with the V8 flags',
    async (path) => {
      const text = await read(path);
      const usesConstant = text.includes('GATEWAY_NODE_FLAGS');
      for (const flag of GATEWAY_NODE_FLAGS) expect(usesConstant || text.includes(flag)).toBe(true);
    },
  );
});
