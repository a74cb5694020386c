// `npm test`: makes sure the Temporal CLI is there (installing it once into the cache), then runs
// every test file with Node's test runner; each integration file starts its own dev server.
// With TEST_POSTGRES_URL set (CI sets it: scripts/start-postgres.sh), the tests that use the ledger
// run a second time against PostgreSQL, side by side with the first pass, each line of output
// tagged [sqlite] or [postgres] (TEST_SIDE_BY_SIDE=0: one pass after the other, untagged).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
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

interface Pass {
  label: string;
  /** Put before each line of its output when passes run side by side, e.g. `[postgres]`. */
  tag: string;
  files: string[];
  env: NodeJS.ProcessEnv;
}

/** Copies a child's output to ours line by line, each line tagged with its pass. */
function tagLines(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, tag: string): void {
  readline.createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${tag} ${line}\n`));
}

/** Runs one pass's files with Node's test runner, one file at a time; resolves with its exit status. */
function runPass(pass: Pass, tagged: boolean): Promise<number> {
  console.error(`[test] ${pass.label}: ${pass.files.length} test files (Temporal CLI ${temporal})`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...pass.files], {
    cwd: root,
    stdio: tagged ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    // Tracing stays off too, whatever the developer's shell exports (the tracing tests set their own).
    env: { ...process.env, ...METRICS_OFF, OTEL_EXPORTER_OTLP_ENDPOINT: '', TEMPORAL_CLI: temporal, ...pass.env },
  });
  if (tagged) {
    tagLines(child.stdout!, process.stdout, pass.tag);
    tagLines(child.stderr!, process.stderr, pass.tag);
  }
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

/** The SQLite pass of every file and, with TEST_POSTGRES_URL, the PostgreSQL pass of the ledger's. */
function passesOf(bundle: string): Pass[] {
  const passes: Pass[] = [{ label: 'ledger on SQLite', tag: '[sqlite]', files, env: { TEST_DATABASE: 'sqlite', TEST_WORKFLOW_BUNDLE: bundle } }];
  if (!process.env.TEST_POSTGRES_URL) {
    console.error('[test] TEST_POSTGRES_URL is not set: skipping the PostgreSQL pass (scripts/start-postgres.sh prints one)');
    return passes;
  }
  const ledgerTests = files.filter((f) => !DATABASE_INDEPENDENT.some((d) => path.relative(root, f).startsWith(d)));
  return [...passes, { label: 'ledger on PostgreSQL', tag: '[postgres]', files: ledgerTests, env: { TEST_DATABASE: 'postgres', TEST_WORKFLOW_BUNDLE: bundle } }];
}

/**
 * The passes run side by side: each test file has its own Temporal server, database, ports and
 * task queue, so the two never meet, and most of a file's time is spent waiting on the network and
 * timers, not the CPU. TEST_SIDE_BY_SIDE=0 runs them one after the other, with untagged output.
 */
async function main(): Promise<number> {
  const bundle = await bundleWorkflowsForRun();
  try {
    const passes = passesOf(bundle);
    const sideBySide = passes.length > 1 && process.env.TEST_SIDE_BY_SIDE !== '0';
    if (sideBySide) return Math.max(...(await Promise.all(passes.map((pass) => runPass(pass, true)))));
    let status = 0;
    for (const pass of passes) status = Math.max(status, await runPass(pass, false));
    return status;
  } finally {
    fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  }
}

main().then((status) => process.exit(status));
