import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';

/**
 * The ledger database for one test stack. SQLite by default; with TEST_DATABASE=postgres (set by
 * `npm test` for its PostgreSQL pass) a fresh database on the server at TEST_POSTGRES_URL.
 */
export async function testDatabase(dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (process.env.TEST_DATABASE !== 'postgres') {
    return { url: `sqlite:${path.join(dir, 'ledger.sqlite')}`, drop: async () => {} };
  }
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error('TEST_DATABASE=postgres needs TEST_POSTGRES_URL (see scripts/start-postgres.sh)');
  const name = `webhooks_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(admin, name),
  };
}

/**
 * Drops a test database. FORCE cannot end a backend of another role (an autovacuum worker that
 * just started on it): that is tried again a moment later, and a database still left is only
 * reported, since it holds nothing another test reads.
 */
async function dropDatabase(admin: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      return;
    } catch (err) {
      if (attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        continue;
      }
      console.error(`test database ${name} left behind: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A real ledger (on the database the test run selects) for the tests of one file, opened before
 * them and dropped after. Used like the ledger itself, from inside the tests.
 */
export function useLedger(): Ledger {
  let ledger: Ledger | undefined;
  let database: { drop: () => Promise<void> } | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-test-'));
  before(async () => {
    const opened = await testDatabase(dir);
    database = opened;
    ledger = new Ledger(await openDatabase(opened.url));
  });
  after(async () => {
    await ledger?.db.destroy();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return new Proxy({} as Ledger, {
    get(_target, key) {
      if (!ledger) throw new Error('the ledger is not open yet (use it inside a test)');
      return Reflect.get(ledger, key);
    },
  });
}
