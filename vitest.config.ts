import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One run covers every workspace. Node-side suites share real PostgreSQL/PGlite/Redis and
// spawn real processes, so files run in forked workers, two at a time on a 2-core machine.
// Node loads graphql's CommonJS build for every dependency (Yoga, Pothos); Vite would otherwise
// give our own source the .mjs build, and two GraphQLError classes break instanceof checks
// (expected errors would be masked as "Unexpected error.").
const resolve = { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] };

export default defineConfig({
  resolve,
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'gateway/test/**/*.test.ts',
            'target-server/test/**/*.test.ts',
            'fluentbit/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'infra/test/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          pool: 'forks',
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['gateway/test/support/global-setup.ts'],
          // Groups run in order, each with its own worker count: node 0, web 1, e2e 2.
          sequence: { groupOrder: 0 },
        },
      },
      ...(existsSync('web/vitest.config.ts') ? ['web/vitest.config.ts'] : []),
      {
        resolve,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          pool: 'forks',
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
