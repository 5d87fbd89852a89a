// One lint setup for every workspace: typescript-eslint's recommended rules, strict about
// `any` leaking and unused code; formatting is Prettier's job (.prettierrc), not ESLint's.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'gateway/src/generated/**', 'web/src/gql/**', 'infra/cdk.out/**', 'bench/results/**', 'bench/.scratch/**', 'e2e/screenshots/**', '.data/**'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
