// ESLint: what `npm run lint` checks in the code (`npm run lint:code` alone).
// Formatting is Prettier's job (.prettierrc.json) and which folder may import
// which is dependency-cruiser's (.dependency-cruiser.cjs), so neither is here.
//
// The rules are not type-aware: typed linting took 5-6 times as long here
// (about 40 s instead of 7 s on 2 cores) and its promise rules found nothing
// real (no-floating-promises only node:test's describe/it, no-misused-promises
// only knex's query-builder callbacks).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'var/', 'test-output/', 'bench/results/', 'bench/.data/']),

  {
    linterOptions: {
      // An eslint-disable comment that no longer hides anything is an error, so
      // that none outlives the code it was written for.
      reportUnusedDisableDirectives: 'error',
    },
  },

  {
    // plugin/ host/ admin-ui/ test/ scripts/ bench/, and the config files here.
    files: ['**/*.{ts,js,mjs,cjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: globals.node,
    },
    rules: {
      eqeqeq: ['error', 'always'],
      // The plugin and the host log through the host's logger (pino).
      'no-console': 'error',
      'no-throw-literal': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unreachable-loop': 'error',
      'prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A type-only import is written `import type` (or `type X` inline), so the
      // compiled code, and dependency-cruiser, see which imports run.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },

  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },

  {
    // The browser UI, and the fixture plugin's browser modules.
    files: ['admin-ui/**', 'test/fixtures/**/assets/**', 'test/fixtures/**/ui/**'],
    languageOptions: { globals: globals.browser },
  },

  {
    // Build, test and benchmark tooling talks to the person running it.
    files: ['scripts/**', 'test/**', 'bench/**', '*.{js,mjs,cjs}'],
    rules: { 'no-console': 'off' },
  },
);
