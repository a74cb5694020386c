import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first: a folder imports its own layer and those below, never one
 * above. The rules (delivery/, filters/, security/) know no store; the store knows no operation;
 * operations know no gateway. test/layers.test.ts checks every folder is here and the imports agree.
 */
export const LAYERS = [
  ['core'],
  ['contract', 'delivery', 'filters', 'security'],
  ['model'],
  ['store', 'http', 'metrics', 'tracing'],
  ['catalog', 'temporal'],
  ['operations'],
  ['gateway', 'worker'],
];
const SRC_FOLDERS = LAYERS.flat();
const layerOf = (folder) => LAYERS.findIndex((layer) => layer.includes(folder));

/** What a file in src/<folder>/ may not import: folders of higher layers, workflows/ and activities/. */
function restrictedFor(folder) {
  const above = SRC_FOLDERS.filter((other) => layerOf(other) > layerOf(folder));
  const patterns = above.map((other) => ({
    group: [`../${other}`, `../${other}/*`, `../../${other}`, `../../${other}/*`],
    message: `src/${folder}/ sits below src/${other}/ (LAYERS in eslint.config.mjs).`,
  }));
  // src/worker/ is the composition root that wires the workflows and activities into a worker.
  if (folder === 'worker') return patterns;
  return [
    ...patterns,
    { group: ['**/workflows', '**/workflows/*'], message: 'src/ sits below workflows/: use src/contract (WorkflowTypes for starting one).' },
    { group: ['**/activities', '**/activities/*'], message: 'src/ sits below activities/.' },
  ];
}

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
    files: ['src/gateway/portal/public/**/*.js'],
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
  // src/ sits below workflows/ and activities/, and each folder of src/ on its layer (LAYERS).
  ...SRC_FOLDERS.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: restrictedFor(folder) }] },
  })),
);
