// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The core holds policy evaluation, risk scoring, ledger and compliance logic and
 * must stay free of I/O and frameworks: adapters do I/O, the composition root wires.
 */
const coreForbiddenImports = [
  'express',
  'drizzle-orm',
  'postgres',
  'better-sqlite3',
  'inversify',
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'tls',
  'cluster',
  'worker_threads',
].flatMap((name) => (/^[a-z_0-9]+(\/|$)/.test(name) ? [name, `node:${name}`] : [name]));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'data/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: coreForbiddenImports.map((name) => ({
            name,
            message: '@govgate/core holds no I/O or framework code: put this in an adapter.',
          })),
          patterns: [
            {
              group: ['drizzle-orm/*', 'express/*', 'postgres/*', 'node:fs/*', 'fs/*'],
              message: '@govgate/core holds no I/O or framework code: put this in an adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    // End-to-end tests read JSON answers of the API: their bodies are `any` by design.
    files: ['packages/*/src/e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
