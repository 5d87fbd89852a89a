import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

// Paths are relative to this file, so codegen gives the same output from the root
// (`npm run codegen`) and from the web workspace's build, test and typecheck scripts.
const root = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Typed documents for the dashboard: every `graphql()` call in web/src is checked against the
 * printed schema (schema.graphql, from `npm run schema:print`) and typed from it.
 */
const config: CodegenConfig = {
  schema: root('./schema.graphql'),
  documents: [root('./web/src/**/*.{ts,tsx}'), `!${root('./web/src/gql/**')}`],
  ignoreNoDocuments: true,
  errorsOnly: true,
  generates: {
    [root('./web/src/gql/')]: {
      preset: 'client',
      presetConfig: { fragmentMasking: { unmaskFunctionName: 'getFragmentData' } },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        skipTypename: false,
      },
    },
  },
};

export default config;
