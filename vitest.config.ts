import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One run covers every workspace. Node-side suites share real PostgreSQL/PGlite/Redis and
// spawn real processes, so those files run in forked workers, two at a time on a 2-core machine.
// Node loads graphql's CommonJS build for every dependency (Yoga, Pothos); Vite would otherwise
// give our own source the .mjs build, and two GraphQLError classes break instanceof checks
// (expected errors would be masked as "Unexpected error.").
const resolve = { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] };

/** Workspaces whose tests run in Node (web has its own jsdom project, e2e drives Chromium). */
const NODE_TEST_ROOTS = ['gateway/test', 'target-server/test', 'fluentbit/test', 'bench/test', 'infra/test', 'test'];

export default defineConfig({
  resolve,
  test: {
    projects: [
      {
        resolve,
        test: {
          // Pure tests (no database, network or child process): they start at once, without the
          // PGlite template the integration project builds first.
          name: 'unit',
          environment: 'node',
          include: NODE_TEST_ROOTS.map((root) => `${root}/**/*.unit.test.ts`),
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          environment: 'node',
          include: NODE_TEST_ROOTS.map((root) => `${root}/**/*.test.ts`),
          exclude: ['**/*.unit.test.ts', '**/node_modules/**'],
          pool: 'forks',
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['gateway/test/support/global-setup.ts'],
          // Groups run in order, each with its own worker count: unit 0, integration 1, web 2, e2e 3.
          sequence: { groupOrder: 1 },
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
          sequence: { groupOrder: 3 },
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
