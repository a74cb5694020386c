import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryStatusQuery, deliveryWorkflowId } from '../../src/contract';
import { createSubscription, getDelivery, waitForEventDone } from '../helpers/api';
import { type ReceivedRequest, TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Receivers answer 202 at once and confirming is the test's job, except /eager, which confirms
// before it even answers.
const eagerConfirmations: number[] = [];
const receiver = new TestReceiver(async (req) => {
  if (req.path === '/eager') eagerConfirmations.push((await fetch(String(req.headers['webhook-confirm-url']), { method: 'POST' })).status);
  return { status: 202 };
});
const stack = useStack({}, receiver);

const confirmUrl = (r: ReceivedRequest) => String(r.headers['webhook-confirm-url']);
const confirm = async (url: string) => {
  const res = await fetch(url, { method: 'POST' });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};

async function send(path: string, confirmation: { required: boolean; timeout?: string }, extra: { retrySchedule?: string[]; timeoutMs?: number } = {}) {
  const sub = await createSubscription(stack, { url: receiver.url(path), eventTypes: [`c.${path.slice(1)}`], ...extra, confirmation });
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: `c.${path.slice(1)}`, data: { path } });
  const eventId = posted.body.id as string;
  const handle = stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id));
  return { sub, eventId, handle };
}

async function awaitingDelivery(eventId: string) {
  return waitUntil(
    async () => {
      const [d] = await stack.ledger.deliveries.listForEvent(eventId);
      return d?.status === 'awaiting_confirmation' && d;
    },
    { what: 'the delivery to await confirmation' },
  );
}

test('a confirmed delivery succeeds; until then the ledger, the API and the workflow say awaiting_confirmation', async () => {
  const { eventId, handle } = await send('/ok', { required: true, timeout: '1m' });
  const delivery = await awaitingDelivery(eventId);
  const [request] = receiver.to('/ok');
  assert.match(confirmUrl(request!), new RegExp(`^${stack.gatewayUrl}/v1/confirmations/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  assert.equal((await getDelivery(stack, delivery.id)).status, 'awaiting_confirmation');
  const progress = await handle.query(deliveryStatusQuery);
  assert.equal(progress.state, 'awaiting_confirmation');
  assert.equal(progress.attempt, 1);
  assert.ok(progress.confirmationDeadline);
  assert.equal((await handle.describe()).status.name, 'RUNNING');

  const res = await confirm(confirmUrl(request!));
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { deliveryId: delivery.id, attempt: 1, status: 'succeeded' });
  await handle.result();
  const done = await getDelivery(stack, delivery.id);
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(done.attempts.map((a) => [a.number, a.outcome, a.statusCode]), [[1, 'succeeded', 202]]);
  assert.equal((await handle.query(deliveryStatusQuery)).state, 'succeeded');

  // Single use: the same URL again changes nothing.
  const again = await confirm(confirmUrl(request!));
  assert.equal(again.status, 409);
  assert.match(again.type ?? '', /problem\+json/);
  assert.equal((await getDelivery(stack, delivery.id)).attempts.length, 1);
});

test('forged confirmation URLs are refused and change nothing', async () => {
  const { eventId } = await send('/forged', { required: true, timeout: '1m' });
  const delivery = await awaitingDelivery(eventId);
  const url = confirmUrl(receiver.to('/forged')[0]!);
  const [body, mac] = url.slice(url.lastIndexOf('/') + 1).split('.') as [string, string];
  // Another delivery's id in a body signed for this one; a flipped signature; plain garbage.
  const otherBody = Buffer.from(JSON.stringify(['dlv_someone_else', 1, Date.now() + 60_000])).toString('base64url');
  const flipped = mac.slice(0, -2) + (mac.endsWith('AA') ? 'BB' : 'AA');
  for (const token of [`${otherBody}.${mac}`, `${body}.${flipped}`, 'garbage', `${body}`]) {
    const res = await confirm(`${stack.gatewayUrl}/v1/confirmations/${token}`);
    assert.equal(res.status, 403, token);
  }
  assert.equal((await getDelivery(stack, delivery.id)).status, 'awaiting_confirmation');
  assert.equal((await confirm(url)).status, 200, 'the real URL still works');
});

test('no confirmation in time is a failed attempt; the schedule goes on and a late confirmation is refused', async () => {
  const { eventId, handle } = await send('/late', { required: true, timeout: '1s' }, { retrySchedule: ['0', '100ms'], timeoutMs: 200 });
  await awaitingDelivery(eventId);
  await receiver.waitFor(() => receiver.to('/late').length === 2, 20_000, 'the second attempt');
  const [first, second] = receiver.to('/late') as [ReceivedRequest, ReceivedRequest];
  assert.equal(first.headers['webhook-id'], second.headers['webhook-id']);
  assert.notEqual(confirmUrl(first), confirmUrl(second), 'each attempt has its own URL');

  const late = await confirm(confirmUrl(first));
  assert.equal(late.status, 410);
  assert.equal((await confirm(confirmUrl(second))).status, 200);
  const [d] = await waitForEventDone(stack, eventId, 1);
  assert.equal(d!.status, 'succeeded');
  assert.deepEqual(d!.attempts.map((a) => [a.number, a.outcome]), [[1, 'failed'], [2, 'succeeded']]);
  assert.match(d!.attempts[0]!.error ?? '', /not confirmed within 1000 ms/);
  await handle.result();
});

test('the last attempt unconfirmed fails the delivery, in the ledger and in Temporal; its URL is then refused', async () => {
  const { eventId, handle } = await send('/never', { required: true, timeout: '1s' }, { retrySchedule: ['0'], timeoutMs: 100 });
  await awaitingDelivery(eventId);
  await assert.rejects(handle.result(), /Workflow execution failed/);
  const [d] = await waitForEventDone(stack, eventId, 1);
  assert.equal(d!.status, 'failed');
  assert.equal((await handle.describe()).status.name, 'FAILED');
  // Refused as too late by the ledger, whether or not the token's own expiry has passed yet
  // (that check is covered with a controlled clock in test/security/confirmation-token.test.ts).
  const res = await confirm(confirmUrl(receiver.to('/never')[0]!));
  assert.equal(res.status, 410);
  assert.equal((await getDelivery(stack, d!.id)).status, 'failed', 'a refused confirmation changes nothing');
});

test('cancelling a delivery that awaits confirmation ends it cancelled and voids its URL', async () => {
  const { eventId, handle } = await send('/cancel', { required: true, timeout: '10m' });
  const delivery = await awaitingDelivery(eventId);
  const res = await stack.api('POST', `/v1/deliveries/${delivery.id}/cancel`);
  assert.equal(res.status, 202);
  await assert.rejects(handle.result());
  assert.equal((await handle.describe()).status.name, 'CANCELLED');
  const d = await getDelivery(stack, delivery.id);
  assert.equal(d.status, 'cancelled');
  assert.deepEqual(d.attempts.map((a) => a.outcome), ['abandoned']);
  assert.equal((await confirm(confirmUrl(receiver.to('/cancel')[0]!))).status, 410);
  assert.equal((await getDelivery(stack, delivery.id)).status, 'cancelled');
});

test('a confirmation wait survives a worker restart, even a confirmation sent while no worker runs', async () => {
  const { eventId, handle } = await send('/restart', { required: true, timeout: '10m' });
  const delivery = await awaitingDelivery(eventId);
  await stack.stopWorker();
  assert.equal((await confirm(confirmUrl(receiver.to('/restart')[0]!))).status, 200);
  assert.equal((await handle.describe()).status.name, 'RUNNING', 'nothing ran the workflow yet');
  await stack.startWorker();
  await handle.result();
  assert.equal((await handle.describe()).status.name, 'COMPLETED');
  assert.equal((await getDelivery(stack, delivery.id)).status, 'succeeded');
  assert.equal(receiver.to('/restart').length, 1, 'no second attempt');
});

test('a receiver may confirm before it answers; the delivery still succeeds once', async () => {
  const { eventId, handle } = await send('/eager', { required: true, timeout: '1m' });
  const [early] = await waitForEventDone(stack, eventId, 1);
  await handle.result(); // the attempt's answer is recorded by the time the workflow ends
  assert.deepEqual(eagerConfirmations, [200]);
  const d = await getDelivery(stack, early!.id);
  assert.equal(d.status, 'succeeded');
  assert.deepEqual(d.attempts.map((a) => [a.number, a.outcome, a.statusCode]), [[1, 'succeeded', 202]]);
});
