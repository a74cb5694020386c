// `npm test`: makes sure the Temporal CLI is there (installing it once into the cache), then runs
// every test file with Node's test runner; each integration file starts its own dev server.
// With TEST_POSTGRES_URL set (CI sets it: scripts/start-postgres.sh), the tests that use the ledger
// run a second time against PostgreSQL.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { resolveTemporalCli } from './lib/temporal-cli';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/**
 * Tests whose subject does not depend on the ledger's database run once: whole folders, files that
 * never open a ledger (pure rules, the HTTP client, replaying histories), and the fair-use test,
 * whose subject is Temporal's dispatch and the worker's slots (the ledger's slot pools it relies on
 * are tested on both databases in test/store).
 */
const DATABASE_INDEPENDENT = [
  'test/core/',
  'test/deploy/',
  'test/docs/',
  'test/scripts/',
  'test/security/',
  'test/tracing/',
  'test/ui/',
  'test/catalog/catalog.test.ts',
  'test/code-shape.test.ts',
  'test/delivery/outcome.test.ts',
  'test/delivery/reconcile-rules.test.ts',
  'test/delivery/retry-schedule.test.ts',
  'test/filters/event-types.test.ts',
  'test/filters/filter.test.ts',
  'test/filters/receives.test.ts',
  'test/http/address-guard.test.ts',
  'test/http/send-webhook.test.ts',
  'test/layers.test.ts',
  'test/metrics/attempts.test.ts',
  'test/store/migration-files.test.ts',
  'test/temporal/sdk-logger.test.ts',
  'test/workflows/fair-use.test.ts',
  'test/workflows/replay-histories.test.ts',
  'test/workflows/workflow-types.test.ts',
];

/**
 * Every process a test starts keeps its metrics endpoints off unless the test sets ports: the
 * defaults (9464-9466) may be held by a developer's `npm run dev`, and several processes of one
 * test would collide on them.
 */
const METRICS_OFF = { GATEWAY_METRICS_PORT: 'off', WORKER_METRICS_PORT: 'off', WORKER_SDK_METRICS_PORT: 'off' };

const root = path.resolve(__dirname, '..');
const only = process.argv.slice(2);
const files = only.length > 0 ? only : testFiles(path.join(root, 'test')).sort();
const temporal = resolveTemporalCli();

/**
 * The workflows, bundled once for the whole run: every test's in-process worker loads this file
 * instead of running webpack itself (about 1.5 s of CPU per worker on this machine's two cores).
 */
async function bundleWorkflowsForRun(): Promise<string> {
  const bundle = await bundleWorkflowCode({ workflowsPath: path.join(root, 'workflows'), logger: new DefaultLogger('WARN') });
  const codePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-test-')), 'workflow-bundle.js');
  fs.writeFileSync(codePath, bundle.code);
  return codePath;
}

function run(label: string, list: string[], env: NodeJS.ProcessEnv): number {
  console.error(`[test] ${label}: ${list.length} test files (Temporal CLI ${temporal})`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...list],
    // Tracing stays off too, whatever the developer's shell exports (the tracing tests set their own).
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...METRICS_OFF, OTEL_EXPORTER_OTLP_ENDPOINT: '', TEMPORAL_CLI: temporal, ...env } },
  );
  return result.status ?? 1;
}

async function main(): Promise<number> {
  const bundle = await bundleWorkflowsForRun();
  try {
    let status = run('ledger on SQLite', files, { TEST_DATABASE: 'sqlite', TEST_WORKFLOW_BUNDLE: bundle });
    if (process.env.TEST_POSTGRES_URL) {
      const ledgerTests = files.filter((f) => !DATABASE_INDEPENDENT.some((d) => path.relative(root, f).startsWith(d)));
      status = Math.max(status, run('ledger on PostgreSQL', ledgerTests, { TEST_DATABASE: 'postgres', TEST_WORKFLOW_BUNDLE: bundle }));
    } else {
      console.error('[test] TEST_POSTGRES_URL is not set: skipping the PostgreSQL pass (scripts/start-postgres.sh prints one)');
    }
    return status;
  } finally {
    fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  }
}

main().then((status) => process.exit(status));
