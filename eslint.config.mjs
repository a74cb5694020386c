import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-output/', 'bench/results.json'] },
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
    // Layering: the ledger, the gateway and the shared contract sit below the workflows and the
    // activities; what they share lives in src/contract. src/worker.ts is the composition root
    // that wires the activities into a worker, so it is the one exception.
    files: ['src/**/*.ts'],
    ignores: ['src/worker.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workflows', '**/workflows/*'], message: 'src/ sits below workflows/: import what you share from src/contract.', allowTypeImports: true },
            { group: ['**/activities', '**/activities/*'], message: 'src/ sits below activities/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts', 'src/gateway/**/*.ts', 'src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workflows', '**/workflows/*'], message: 'The ledger, the gateway and the contract never import workflows/ (not even types).' },
            { group: ['**/activities', '**/activities/*'], message: 'The ledger, the gateway and the contract never import activities/.' },
          ],
        },
      ],
    },
  },
);
