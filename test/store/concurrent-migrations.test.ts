import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/store/db';
import { testDatabase } from '../helpers/database';

const root = path.resolve(__dirname, '..', '..');
const PROCESSES = 4;
// The old code lost this race in every round (scratch run: 20 of 20); a few rounds are plenty.
const ROUNDS = 3;

/**
 * A process that opens the ledger at LEDGER_URL. It says "ready" once its modules are loaded and
 * opens on the "go" line, so the processes of a round migrate at the same moment.
 */
const CHILD = `
const { openDatabase } = require(${JSON.stringify(path.join(root, 'src', 'store', 'db.ts'))});
process.stdout.write('ready\\n');
process.stdin.once('data', () => openDatabase(process.env.LEDGER_URL).then(
  (db) => db.destroy().then(() => process.exit(0)),
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exit(1); },
));`;

interface Opener {
  child: ChildProcess;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function spawnOpener(url: string): Opener {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', CHILD], {
    cwd: root,
    env: { ...process.env, LEDGER_URL: url },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
  return { child, exited };
}

/** Resolves when the process has printed "ready"; rejects if it exits first. */
function ready({ child, exited }: Opener): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    void exited.then(({ code, stderr }) => reject(new Error(`opener exited (${code}) before it was ready: ${stderr}`)));
  });
}

/** Each table's sorted columns and the applied migrations, read without migrating anything. */
async function schemaOf(url: string): Promise<{ tables: Record<string, string[]>; migrations: string[] }> {
  const dialect = url.startsWith('sqlite:')
    ? new SqliteDialect({ database: new SQLite(url.slice('sqlite:'.length), { readonly: true }) })
    : new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) });
  const db = new Kysely<{ kysely_migration: { name: string } }>({ dialect });
  try {
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    const migrations = await db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
    return {
      tables: Object.fromEntries(tables.map((t) => [t.name, t.columns.map((c) => c.name).sort()]).sort()),
      migrations: migrations.map((m) => m.name),
    };
  } finally {
    await db.destroy();
  }
}

async function withFreshLedger<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrent-migrate-'));
  const database = await testDatabase(dir);
  try {
    return await fn(database.url);
  } finally {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test(`${PROCESSES} processes migrating one fresh ledger at once all succeed, and the schema is complete`, async () => {
  // The schema one process alone builds.
  const expected = await withFreshLedger(async (url) => {
    await (await openDatabase(url)).destroy();
    return schemaOf(url);
  });
  assert.ok(expected.migrations.length > 0);

  for (let round = 1; round <= ROUNDS; round++) {
    await withFreshLedger(async (url) => {
      const openers = Array.from({ length: PROCESSES }, () => spawnOpener(url));
      try {
        await Promise.all(openers.map(ready));
        for (const { child } of openers) child.stdin!.write('go\n');
        const results = await Promise.all(openers.map((o) => o.exited));
        assert.deepEqual(
          results.map((r) => (r.code === 0 ? 'ok' : r.stderr.trim())),
          Array(PROCESSES).fill('ok'),
          `round ${round}: every process opened the ledger`,
        );
        assert.deepEqual(await schemaOf(url), expected, `round ${round}: the schema is complete`);
      } finally {
        for (const { child } of openers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  }
});
