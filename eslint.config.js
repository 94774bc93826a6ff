// ESLint: typescript-eslint's recommended rules, and the type-aware rules that catch what tests rarely
// do (a promise nobody awaits, a promise passed where a callback's result is ignored). Formatting is
// Prettier's (.prettierrc.json), so no rule here is about layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'prisma/generated/', 'client/src/gql/', 'test/gql/', 'client/dist/', 'dist/', '.data/', 'bench/results/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bench/lib/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Passing an async function as a callback whose result is ignored is how node's and the DOM's
      // event APIs are used everywhere here; the handler itself must still catch (no-floating-promises).
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // A leading underscore names what is there on purpose (a skipped argument, a field left out of a rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // An empty catch says "this failure does not matter"; its comment says why.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  // Tests and benchmarks read loosely typed JSON from real servers (ours and the peers') and check its
  // shape at run time, which is the point of reading it.
  { files: ['test/**', '**/*.test.ts', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  prettier,
);
