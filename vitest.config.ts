import { defineConfig } from 'vitest/config';

// One run covers every workspace. Node-side suites share real PostgreSQL/PGlite/Redis and
// spawn real processes, so files run in forked workers, two at a time on a 2-core machine.
export default defineConfig({
  test: {
    projects: [
      {
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
        },
      },
      'web/vitest.config.ts',
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          pool: 'forks',
          maxWorkers: 1,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
