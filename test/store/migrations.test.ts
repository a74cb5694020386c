import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';
import { testDatabase } from '../helpers/database';

/** Rows as a ledger at 0005 (before tenants) held them, written in that version's columns. */
async function seedBeforeTenants(url: string): Promise<void> {
  const db = await openDatabase(url, '0005_secret_rotation');
  const at = '2026-11-01T00:00:00.000Z';
  await sql`insert into subscriptions (id, url, description, event_types, secret, retry_schedule, timeout_ms, status, created_at, updated_at)
    values ('sub_old', 'https://example.com/hook', null, '["order.*"]', 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3', null, 15000, 'active', ${at}, ${at})`.execute(db);
  await sql`insert into subscription_event_types (subscription_id, pattern) values ('sub_old', 'order.*')`.execute(db);
  await sql`insert into events (id, type, data, status, created_at) values ('evt_old', 'order.created', '{}', 'dispatched', ${at})`.execute(db);
  await sql`insert into deliveries (id, event_id, subscription_id, status, created_at, updated_at)
    values ('dlv_old', 'evt_old', 'sub_old', 'succeeded', ${at}, ${at})`.execute(db);
  await db.destroy();
}

test('existing subscriptions, events and deliveries move into the tenant "default"', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-'));
  const database = await testDatabase(dir);
  try {
    await seedBeforeTenants(database.url);
    const ledger = new Ledger(await openDatabase(database.url));
    assert.equal((await ledger.tenants.get('default'))?.name, 'Default');
    assert.equal((await ledger.subscriptions.get('sub_old'))?.tenantId, 'default');
    assert.equal((await ledger.events.get('evt_old'))?.tenantId, 'default');
    const delivery = await ledger.deliveries.get('dlv_old');
    assert.deepEqual([delivery?.tenantId, delivery?.eventType], ['default', 'order.created']);
    assert.deepEqual(await ledger.events.listTypes(), [{ type: 'order.created', lastSeenAt: '2026-11-01T00:00:00.000Z' }]);
    const page = await ledger.subscriptions.list({ limit: 10, tenantId: 'default' });
    assert.deepEqual(page.data.map((s) => s.id), ['sub_old']);
    await ledger.db.destroy();
  } finally {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
