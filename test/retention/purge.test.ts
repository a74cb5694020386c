import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { sql } from 'kysely';
import { parseConfig } from '../../src/core/config';
import { purgeScheduleId } from '../../src/contract';
import { createSubscription, getDelivery, getEvent, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Payloads kept 2 s, whole records 4 s, the purge every second: a month's retention in seconds.
const receiver = new TestReceiver((req) => (req.path === '/confirm' ? { status: 202 } : { status: 200, body: 'reply' }));
const stack = useStack({ retention: '2s', recordRetention: '4s', purgeInterval: '1s' }, receiver);

const post = async (tenantId: string, type: string, data: Record<string, unknown>) => {
  const res = await stack.api('POST', '/v1/events', { tenantId, type, data });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return String(res.body.id);
};
const gone = async (eventId: string) => (await stack.api('GET', `/v1/events/${eventId}`)).status === 404;

test('the purge runs as a Temporal Schedule on the task queue', async () => {
  const schedule = await stack.env.client.schedule.getHandle(purgeScheduleId(stack.config.TASK_QUEUE)).describe();
  assert.equal(schedule.action.type === 'startWorkflow' && schedule.action.workflowType, 'purgeWorkflow');
  assert.equal(schedule.spec.intervals?.[0]?.every, 1000);
});

test("the dev server keeps closed workflows no longer than the ledger's default record retention", async () => {
  const { config } = await stack.env.client.workflowService.describeNamespace({ namespace: stack.config.TEMPORAL_NAMESPACE });
  const ttlMs = Number(config?.workflowExecutionRetentionTtl?.seconds ?? 0) * 1000;
  assert.ok(ttlMs > 0 && ttlMs <= parseConfig({ API_TOKEN: 'x'.repeat(16) }).RECORD_RETENTION_DAYS, `${ttlMs} ms`);
});

test('payloads go after RETENTION_DAYS, whole records after RECORD_RETENTION_DAYS; a tenant with its own retention keeps its own', async () => {
  assert.equal((await stack.api('PUT', '/v1/tenants/keeper', { name: 'Keeper', retentionDays: 30 })).status, 201);
  assert.equal((await stack.api('GET', '/v1/tenants/keeper')).body.retentionDays, 30);
  await createSubscription(stack, { tenantId: 'default', url: receiver.url('/a'), eventTypes: ['order.*'] });
  await createSubscription(stack, { tenantId: 'keeper', url: receiver.url('/b'), eventTypes: ['order.*'] });
  const short = await post('default', 'order.paid', { amount: 1 });
  const kept = await post('keeper', 'order.paid', { amount: 2 });
  const [delivery] = await waitForEventDone(stack, short, 1);
  await waitForEventDone(stack, kept, 1);
  assert.equal(delivery!.attempts[0]!.responseBody, 'reply');

  const removed = await waitUntil(async () => {
    const e = (await stack.api('GET', `/v1/events/${short}`)).body;
    return e.dataRemovedReason === 'retention' && e;
  });
  assert.equal(removed.data, null);
  assert.equal((await getDelivery(stack, delivery!.id)).attempts[0]!.responseBody, null, 'response bodies go with the payload');
  await waitUntil(() => gone(short), { timeoutMs: 30_000, what: 'the record deleted' });
  assert.equal((await stack.api('GET', `/v1/deliveries/${delivery!.id}`)).status, 404);

  const keeper = (await stack.api('GET', `/v1/events/${kept}`)).body;
  assert.deepEqual([keeper.data, keeper.dataRemovedAt], [{ amount: 2 }, null]);
});

test('the purge never touches a delivery that has not ended', async () => {
  await createSubscription(stack, { tenantId: 'default', url: receiver.url('/confirm'), eventTypes: ['invoice.sent'], confirmation: { required: true, timeout: '10m' } });
  await createSubscription(stack, { tenantId: 'default', url: receiver.url('/later'), eventTypes: ['invoice.later'] });
  const open = await post('default', 'invoice.sent', { n: 1 });
  await waitUntil(async () => (await getEvent(stack, open)).deliveries[0]?.status === 'awaiting_confirmation');
  // An event after it has ended: once the purge has deleted it, it has looked at the open one too.
  const later = await post('default', 'invoice.later', { n: 2 });
  await waitForEventDone(stack, later, 1);
  await waitUntil(() => gone(later), { timeoutMs: 30_000, what: 'the later event deleted' });
  const event = (await stack.api('GET', `/v1/events/${open}`)).body;
  assert.deepEqual([event.data, event.dataRemovedAt], [{ n: 1 }, null]);
  assert.equal((await getEvent(stack, open)).deliveries[0]!.status, 'awaiting_confirmation');
});

/** The ledger's size as the database would reuse it: SQLite after a checkpoint, PostgreSQL after a vacuum (autovacuum's job). */
async function ledgerBytes(): Promise<number> {
  const { db } = stack.ledger;
  if (stack.config.DATABASE_URL.startsWith('sqlite:')) {
    await sql`pragma wal_checkpoint(truncate)`.execute(db);
    return fs.statSync(stack.config.DATABASE_URL.slice('sqlite:'.length)).size;
  }
  await sql`vacuum events, deliveries, attempts`.execute(db);
  const row = await sql<{ bytes: string }>`select pg_total_relation_size('events') + pg_total_relation_size('deliveries') + pg_total_relation_size('attempts') as bytes`.execute(db);
  return Number(row.rows[0]!.bytes);
}

async function rowCounts() {
  const count = async (table: 'events' | 'deliveries' | 'attempts') =>
    Number((await stack.ledger.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { events: await count('events'), deliveries: await count('deliveries'), attempts: await count('attempts') };
}

test('under steady traffic the ledger stays flat: rows and bytes stop growing', async () => {
  await createSubscription(stack, { tenantId: 'default', url: receiver.url('/steady'), eventTypes: ['steady.tick'] });
  const PER_ROUND = 10;
  const ROUNDS = 8;
  const payload = 'x'.repeat(16 * 1024);
  const rounds: string[][] = [];
  const sizes: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ids = await Promise.all(Array.from({ length: PER_ROUND }, (_, i) => post('default', 'steady.tick', { r, i, payload })));
    rounds.push(ids);
    for (const id of ids) await waitForEventDone(stack, id, 1);
    // Steady state: what is two rounds old has been purged by now.
    const old = rounds[r - 2];
    if (old) await waitUntil(async () => (await Promise.all(old.map(gone))).every(Boolean), { timeoutMs: 30_000, what: `round ${r - 2} purged` });
    const counts = await rowCounts();
    assert.ok(counts.events <= 3 * PER_ROUND + 10, `round ${r}: ${JSON.stringify(counts)}`);
    sizes.push(await ledgerBytes());
  }
  // Without the purge the ledger would hold 8 rounds of 16 KiB payloads; it holds about three.
  assert.ok(sizes[ROUNDS - 1]! <= sizes[3]! * 1.3 + 256 * 1024, `sizes ${sizes.join(', ')}`);
});
