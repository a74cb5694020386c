import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-output/', 'bench/results.json', 'clients/typescript/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The consumer portal's page runs in the browser, not in Node.
    files: ['src/portal/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    // Workflow code is replayed: it must stay deterministic and free of I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'http', 'https', 'net', 'crypto', 'child_process'], message: 'No Node built-ins in workflows.' },
            { group: ['express', 'better-sqlite3', 'kysely', 'pg', 'undici', 'pino'], message: 'No I/O libraries in workflows.' },
            { group: ['../activities', '../activities/*'], message: 'Import activities as types only.', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness belongs in activities.' },
      ],
    },
  },
  {
    // Layering: src/ sits below workflows/ and activities/; what they share lives in src/contract
    // (workflow types by name included). src/worker.ts is the composition root that wires the
    // workflows and activities into a worker, so it is the one exception.
    files: ['src/**/*.ts'],
    ignores: ['src/worker.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workflows', '**/workflows/*'], message: 'src/ sits below workflows/: use src/contract (WorkflowTypes for starting one).' },
            { group: ['**/activities', '**/activities/*'], message: 'src/ sits below activities/.' },
          ],
        },
      ],
    },
  },
);
