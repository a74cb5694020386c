import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useLedger } from '../helpers/database';

const ledger = useLedger();

const ok = { outcome: 'succeeded' as const, durationMs: 5, statusCode: 200, error: null, responseBody: 'ok' };
const bad = { outcome: 'failed' as const, durationMs: 5, statusCode: 500, error: 'receiver answered 500', responseBody: '' };

async function newDelivery(type = 'order.created') {
  const sub = await ledger.subscriptions.create({ tenantId: 'default', url: 'https://example.com', eventTypes: ['order.*'], secret: 'whsec_x' });
  const { event } = await ledger.events.insert({ tenantId: 'default', id: `evt_${Math.random().toString(36).slice(2)}`, type, data: {} });
  await ledger.events.recordFanOut(event.id, 100, 'event:test');
  const mine = (await ledger.deliveries.listForEvent(event.id)).find((d) => d.subscriptionId === sub.id)!;
  return { sub, event, deliveryId: mine.id };
}

test('recording a fan-out twice keeps one delivery per event and subscription', async () => {
  const { event, deliveryId } = await newDelivery();
  const before = await ledger.deliveries.listForEvent(event.id);
  await ledger.events.recordFanOut(event.id, 100, 'event:test');
  const rows = await ledger.deliveries.listForEvent(event.id);
  assert.deepEqual(rows.map((r) => r.id), before.map((r) => r.id));
  assert.ok(rows.some((r) => r.id === deliveryId));
  assert.equal(rows.length, new Set(rows.map((r) => r.subscriptionId)).size);
  assert.equal((await ledger.events.get(event.id))!.status, 'dispatched');
});

test('replayed attempt writes never duplicate an attempt or a success', async () => {
  const { deliveryId } = await newDelivery();
  await ledger.attempts.start(deliveryId, 1);
  await ledger.attempts.start(deliveryId, 1);
  await ledger.attempts.finish(deliveryId, 1, bad, { final: false, nextAttemptAt: new Date().toISOString() });
  await ledger.attempts.start(deliveryId, 2);
  await ledger.attempts.finish(deliveryId, 2, ok, { final: true });
  await ledger.attempts.finish(deliveryId, 2, ok, { final: true });
  // A late write for the failed attempt or a stray third attempt cannot undo the success.
  await ledger.attempts.finish(deliveryId, 1, bad, { final: true });
  await ledger.attempts.start(deliveryId, 3);
  await ledger.attempts.finish(deliveryId, 3, bad, { final: true });
  await ledger.deliveries.end(deliveryId, 'cancelled', 'too late');

  const delivery = await ledger.deliveries.get(deliveryId);
  assert.equal(delivery!.status, 'succeeded');
  const attempts = await ledger.attempts.list(deliveryId);
  assert.deepEqual(attempts.map((a) => a.number), [1, 2, 3]);
  assert.equal(attempts.filter((a) => a.outcome === 'succeeded').length, 1);
});

test('an attempt left sending by a lost worker is closed as abandoned by the next one', async () => {
  const { deliveryId } = await newDelivery();
  await ledger.attempts.start(deliveryId, 1);
  await ledger.attempts.start(deliveryId, 2);
  const [first, second] = await ledger.attempts.list(deliveryId);
  assert.equal(first!.outcome, 'abandoned');
  assert.equal(second!.outcome, 'sending');
  assert.equal((await ledger.deliveries.get(deliveryId))!.attemptCount, 2);
});

test('disabled and deleted subscriptions match no new event', async () => {
  const { sub } = await newDelivery();
  await ledger.subscriptions.disable(sub.id, 'endpoint answered 410 Gone');
  await ledger.subscriptions.disable(sub.id, 'a later reason');
  assert.equal((await ledger.subscriptions.get(sub.id))!.disabledReason, 'endpoint answered 410 Gone', 'the first reason stays');
  const { event } = await ledger.events.insert({ tenantId: 'default', id: 'evt_after_disable', type: 'order.created', data: {} });
  await ledger.events.recordFanOut(event.id, 1000, 'event:test');
  assert.equal((await ledger.deliveries.listForEvent(event.id)).some((d) => d.subscriptionId === sub.id), false);
});

test('shards and their pages cover every matching subscriber exactly once', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 25; i++) {
    ids.add((await ledger.subscriptions.create({ tenantId: 'default', url: 'https://example.com', eventTypes: ['bulk.*'], secret: 'whsec_x' })).id);
  }
  const { event } = await ledger.events.insert({ tenantId: 'default', id: 'evt_bulk', type: 'bulk.sent', data: {} });
  const { deliveries, shards } = await ledger.events.recordFanOut(event.id, 10, 'event:test');
  assert.equal(deliveries, 25);
  assert.equal(shards.length, 3);
  const seen: string[] = [];
  for (const shard of shards) {
    let after = shard.after;
    for (;;) {
      const page = await ledger.events.pendingDeliveryPlans(event.id, { after, upTo: shard.upTo }, 4);
      if (page.length === 0) break;
      seen.push(...page.map((d) => d.subscriptionId));
      after = page[page.length - 1]!.subscriptionId;
    }
  }
  assert.deepEqual(new Set(seen), ids);
  assert.equal(seen.length, 25);
});

test('time windows compare instants, whatever precision the bounds are written with', async () => {
  const { event } = await ledger.events.insert({ tenantId: 'default', id: 'evt_window', type: 'window.test', data: {} });
  await ledger.db.updateTable('events').set({ created_at: '2026-11-28T06:50:00.303Z' }).where('id', '=', event.id).execute();
  const sub = await ledger.subscriptions.create({ tenantId: 'default', url: 'https://example.com', eventTypes: ['window.*'], secret: 'whsec_x' });
  await ledger.events.recordFanOut(event.id, 100, 'event:test');
  const inWindow = async (since: string, until: string) =>
    (await ledger.events.listInWindow({ id: 'sub_any', tenantId: 'default' }, since, until, undefined, 10)).some((e) => e.id === event.id);
  assert.equal(await inWindow('2026-11-28T06:50:00Z', '2026-11-28T06:50:01Z'), true, 'inside a whole-second window');
  assert.equal(await inWindow('2026-11-28T06:49:59Z', '2026-11-28T06:50:00Z'), false, 'before it');
  assert.equal(await inWindow('2026-11-28T06:50:00.303Z', '2026-11-28T06:50:00.304Z'), true, 'since is inclusive');
  assert.equal(await inWindow('2026-11-28T06:50:00.300Z', '2026-11-28T06:50:00.303Z'), false, 'until is exclusive');

  const [delivery] = await ledger.deliveries.listForEvent(event.id);
  await ledger.db.updateTable('deliveries').set({ created_at: '2026-11-28T06:50:00.303Z' }).where('id', '=', delivery!.id).execute();
  const found = async (since: string, until: string) =>
    (await ledger.deliveries.find({ subscriptionId: sub.id, statuses: ['pending'], since, until, limit: 10 })).length;
  assert.equal(await found('2026-11-28T06:50:00Z', '2026-11-28T06:50:01Z'), 1);
  assert.equal(await found('2026-11-28T06:49:59Z', '2026-11-28T06:50:00Z'), 0);
});

test("a replay's window holds only fanned-out events: an accepted one's deliveries are its own fan-out's to make", async () => {
  const sub = await ledger.subscriptions.create({ tenantId: 'default', url: 'https://example.com', eventTypes: ['later.*'], secret: 'whsec_x' });
  const since = new Date(Date.now() - 60_000).toISOString();
  const until = new Date(Date.now() + 60_000).toISOString();
  const { event } = await ledger.events.insert({ tenantId: 'default', id: 'evt_not_yet_fanned_out', type: 'later.created', data: {} });
  const listed = async () => (await ledger.events.listInWindow(sub, since, until, undefined, 100)).some((e) => e.id === event.id);
  assert.equal(await listed(), false, 'accepted: not yet for a replay');
  const { deliveries } = await ledger.events.recordFanOut(event.id, 100, 'event:test');
  assert.equal(deliveries, 1, 'the fan-out makes its delivery without colliding');
  assert.equal(await listed(), true, 'fanned out: a replay may re-deliver it');
});

test('a slot pool never gives out more than its max, and one lowered below what is in use gives out nothing until enough come back', async () => {
  const pool = `tenant:pool-${Math.random().toString(36).slice(2)}`;
  // Ten takers at once for five slots: exactly five win.
  const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.limits.acquireSlot(pool, 5, `h${i}`, 60_000)));
  const held = taken.filter((r) => r !== undefined);
  assert.equal(held.length, 5);
  // Lowered to 2: none for a newcomer while 5 are held, nor after three come back (2 still held).
  assert.equal(await ledger.limits.acquireSlot(pool, 2, 'late', 60_000), undefined);
  for (const release of held.slice(0, 3)) await release!();
  assert.equal(await ledger.limits.acquireSlot(pool, 2, 'late', 60_000), undefined);
  await held[3]!();
  assert.ok(await ledger.limits.acquireSlot(pool, 2, 'late', 60_000), 'one in use of 2: a slot again');
});
