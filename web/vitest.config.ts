import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [react()],
  test: {
    name: 'web',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    // Components import typed documents from src/gql, which codegen writes from schema.graphql;
    // generating first also makes the suite fail when a document no longer matches the schema.
    globalSetup: ['test/codegen.ts'],
    setupFiles: ['test/setup.ts'],
    // Projects run one group after another (root vitest.config.ts): unit 0, integration 1, web 2, e2e 3.
    sequence: { groupOrder: 2 },
  },
});
