// `npm test`: makes sure the Temporal CLI is there (installing it once into the cache), then runs
// every test file with Node's test runner. Each integration file starts its own dev server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolveTemporalCli } from '../src/temporal/cli';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const root = path.resolve(__dirname, '..');
const only = process.argv.slice(2);
const files = only.length > 0 ? only : testFiles(path.join(root, 'test')).sort();
const temporal = resolveTemporalCli();
console.error(`[test] Temporal CLI: ${temporal}; ${files.length} test files`);

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TEMPORAL_CLI: temporal } },
);
process.exit(result.status ?? 1);
