import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { openDatabase } from '../../src/store/db';
import { Ledger, type LedgerObserver } from '../../src/store/ledger';
import { testDatabase } from '../helpers/database';

// deliveries_completed_total counts ledger transitions: each delivery moved into a final status
// is reported once, by the call that moved it, and a repeated or late call reports nothing.

const ended: string[] = [];
const observer: LedgerObserver = { deliveriesEnded: (status, count) => ended.push(...Array<string>(count).fill(status)) };
let ledger: Ledger;
let drop: () => Promise<void>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-outcomes-'));

before(async () => {
  const database = await testDatabase(dir);
  drop = database.drop;
  ledger = new Ledger(await openDatabase(database.url), observer);
});
after(async () => {
  await ledger.db.destroy();
  await drop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => void ended.splice(0));

const ok = { outcome: 'succeeded' as const, durationMs: 5, statusCode: 200, error: null, responseBody: 'ok' };
const bad = { outcome: 'failed' as const, durationMs: 5, statusCode: 500, error: 'receiver answered 500', responseBody: '' };
const awaiting = { ...ok, outcome: 'awaiting_confirmation' as const };

async function newDelivery(extra: { confirmation?: boolean } = {}) {
  const sub = await ledger.subscriptions.create({
    tenantId: 'default',
    url: 'https://example.com',
    eventTypes: ['order.*'],
    secret: 'whsec_x',
    ...(extra.confirmation && { confirmation: { required: true, timeout: 60_000 } }),
  });
  const { event } = await ledger.events.insert({ tenantId: 'default', id: `evt_${Math.random().toString(36).slice(2)}`, type: 'order.created', data: {} });
  await ledger.events.recordFanOut(event.id, 100, 'event:test');
  const mine = (await ledger.deliveries.listForEvent(event.id)).find((d) => d.subscriptionId === sub.id)!;
  return { sub, deliveryId: mine.id };
}

test('a success is reported once, however often the activity records it', async () => {
  const { deliveryId } = await newDelivery();
  await ledger.attempts.start(deliveryId, 1);
  await ledger.attempts.finish(deliveryId, 1, bad, { final: false, nextAttemptAt: new Date().toISOString() });
  assert.deepEqual(ended, [], 'a failed attempt with more to come ends nothing');
  await ledger.attempts.start(deliveryId, 2);
  await ledger.attempts.finish(deliveryId, 2, ok, { final: true });
  await ledger.attempts.finish(deliveryId, 2, ok, { final: true });
  await ledger.attempts.finish(deliveryId, 1, bad, { final: true });
  await ledger.deliveries.end(deliveryId, 'cancelled', 'too late');
  assert.deepEqual(ended, ['succeeded']);
});

test('a last failed attempt, and ending without an attempt, are each reported once', async () => {
  const first = await newDelivery();
  await ledger.attempts.start(first.deliveryId, 1);
  await ledger.attempts.finish(first.deliveryId, 1, bad, { final: true });
  await ledger.attempts.finish(first.deliveryId, 1, bad, { final: true });
  const second = await newDelivery();
  await ledger.deliveries.end(second.deliveryId, 'cancelled', 'cancelled');
  await ledger.deliveries.end(second.deliveryId, 'cancelled', 'cancelled');
  await ledger.deliveries.end(second.deliveryId, 'failed', 'subscription deleted');
  assert.deepEqual(ended, ['failed', 'cancelled']);
});

test('a confirmation ends the delivery when it settles it, not when the 2xx is recorded', async () => {
  const { deliveryId } = await newDelivery({ confirmation: true });
  await ledger.attempts.start(deliveryId, 1);
  await ledger.attempts.finish(deliveryId, 1, awaiting, { final: false });
  assert.deepEqual(ended, [], 'awaiting confirmation is not an outcome');
  await ledger.attempts.settleConfirmation(deliveryId, 1, { confirmed: true });
  await ledger.attempts.settleConfirmation(deliveryId, 1, { confirmed: true });
  await ledger.attempts.settleConfirmation(deliveryId, 1, { confirmed: false, error: 'late', final: true, nextAttemptAt: null });
  assert.deepEqual(ended, ['succeeded']);
});

test('a confirmation timeout with no attempt left is a failure, reported once', async () => {
  const { deliveryId } = await newDelivery({ confirmation: true });
  await ledger.attempts.start(deliveryId, 1);
  await ledger.attempts.finish(deliveryId, 1, awaiting, { final: false });
  const timeout = { confirmed: false as const, error: 'not confirmed', final: true, nextAttemptAt: null };
  await ledger.attempts.settleConfirmation(deliveryId, 1, timeout);
  await ledger.attempts.settleConfirmation(deliveryId, 1, timeout);
  await ledger.attempts.settleConfirmation(deliveryId, 1, { confirmed: true });
  assert.deepEqual(ended, ['failed']);
});

test('endpoint states: healthy, failing and disabled subscriptions counted; deleted ones not', async () => {
  const before = await ledger.endpointHealth.stateCounts();
  const healthy = await newDelivery();
  const failing = await newDelivery();
  const disabled = await newDelivery();
  const deleted = await newDelivery();
  await ledger.endpointHealth.record(failing.sub.id, false, 60_000);
  await ledger.endpointHealth.record(healthy.sub.id, true, 60_000);
  await ledger.subscriptions.disable(disabled.sub.id, 'endpoint answered 410 Gone');
  await ledger.subscriptions.delete(deleted.sub.id);
  const now = await ledger.endpointHealth.stateCounts();
  assert.deepEqual(
    { healthy: now.healthy - before.healthy, failing: now.failing - before.failing, disabled: now.disabled - before.disabled },
    { healthy: 1, failing: 1, disabled: 1 },
  );
});
