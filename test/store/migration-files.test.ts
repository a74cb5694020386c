import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Migration } from 'kysely';
import { migrations } from '../../src/store/migrations';

// Static checks of src/store/migrations/: no database is opened.
const dir = path.resolve(__dirname, '..', '..', 'src', 'store', 'migrations');
const MIGRATION_FILE = /^(\d{4}_[a-z0-9_]+)\.ts$/;

/**
 * The names the Migrator has recorded in ledgers already out there. Renaming one makes every such
 * ledger fail to start ("corrupted migrations"), so they stay exactly as written here.
 */
const RELEASED = [
  '0001_ledger',
  '0002_operations',
  '0003_endpoint_limits',
  '0004_reconcile',
  '0005_secret_rotation',
  '0006_tenants',
  '0007_sequences',
  '0008_tenant_limits',
  '0009_fan_out_per_tenant',
  '0010_quota_windows',
  '0011_retention',
  '0012_operational_events',
  '0013_event_catalog',
  '0014_subscription_headers',
];

const files = fs.readdirSync(dir).sort();

test('the folder holds only the index and migrations named NNNN_name.ts', () => {
  assert.deepEqual(
    files.filter((f) => f !== 'index.ts' && !MIGRATION_FILE.test(f)),
    [],
    'every other file in src/store/migrations/ is a migration named NNNN_lower_snake_case.ts',
  );
});

test('the index lists every migration file exactly once, in name order, under its file name', () => {
  const names = files.flatMap((f) => MIGRATION_FILE.exec(f)?.[1] ?? []);
  assert.deepEqual(Object.keys(migrations), names, 'src/store/migrations/index.ts lists each file of its folder, in name order');
  const numbers = names.map((n) => n.slice(0, 4));
  assert.equal(new Set(numbers).size, numbers.length, 'no two migrations share a number');
});

test('each name in the index runs the migration its file exports', () => {
  for (const [name, listed] of Object.entries(migrations)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { migration } = require(path.join(dir, `${name}.ts`)) as { migration?: Migration };
    assert.equal(typeof migration?.up, 'function', `${name}.ts exports its Migration as \`migration\``);
    assert.equal(listed, migration, `the index lists ${name}.ts's migration under the name ${name}`);
  }
});

test('released migrations keep their names and their order', () => {
  assert.deepEqual(Object.keys(migrations).slice(0, RELEASED.length), RELEASED);
});
