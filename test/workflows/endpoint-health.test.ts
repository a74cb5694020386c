import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';

let gone = true;
let healthy = false;
const receiver = new TestReceiver((req) => {
  if (req.path === '/gone') return gone ? { status: 410 } : { status: 200 };
  if (req.path === '/flapping') return healthy ? { status: 200 } : { status: 500 };
  return { status: 200 };
});
// Endpoint health threshold cut from 5 days to 400 ms so a test can cross it.
const stack = useStack({ disableAfterFailingFor: '400ms' }, receiver);

const getSub = (id: string) => stack.client.subscriptions.get(id);

test('410 disables the subscription at once; PATCH re-enables it and deliveries resume', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/gone'), eventTypes: ['h.gone'], retrySchedule: ['0', '10ms'] });
  const first = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'h.gone', data: {} });
  const [d] = await waitForEventDone(stack, first.body.id as string, 1);
  assert.deepEqual([d!.status, d!.attempts.length], ['failed', 1]);
  const disabled = await getSub(sub.id);
  assert.equal(disabled.status, 'disabled');
  assert.equal(disabled.disabledReason, 'endpoint answered 410 Gone');

  gone = false;
  const enabled = await stack.api('PATCH', `/v1/subscriptions/${sub.id}`, { status: 'active' });
  assert.equal(enabled.status, 200);
  const second = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'h.gone', data: {} });
  const [d2] = await waitForEventDone(stack, second.body.id as string, 1);
  assert.equal(d2!.status, 'succeeded');
  assert.equal(receiver.to('/gone').length, 2);
});

test('a subscription failing continuously past the threshold is disabled, with the reason and time', async () => {
  healthy = false;
  const sub = await createSubscription(stack, {
    url: receiver.url('/flapping'),
    eventTypes: ['h.flap'],
    retrySchedule: ['0', '300ms', '300ms', '300ms', '300ms', '300ms'],
  });
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'h.flap', data: {} });
  const [d] = await waitForEventDone(stack, posted.body.id as string, 1);
  assert.equal(d!.status, 'failed');
  assert.ok(d!.attempts.length < 6, `stopped early, after ${d!.attempts.length} attempts`);
  const s = await getSub(sub.id);
  assert.equal(s.status, 'disabled');
  assert.match(s.disabledReason ?? '', /^failing continuously since \d{4}-/);
  assert.ok(s.disabledAt);

  // Disabled: new events do not reach it.
  const skipped = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'h.flap', data: {} });
  await waitForEventDone(stack, skipped.body.id as string, 0);

  // Re-enabled and healthy: the failing streak is cleared, deliveries succeed.
  healthy = true;
  const enabled = await stack.client.subscriptions.update(sub.id, { status: 'active' });
  assert.deepEqual([enabled.status, enabled.failingSince, enabled.disabledReason], ['active', null, null]);
  const later = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'h.flap', data: {} });
  const [ok] = await waitForEventDone(stack, later.body.id as string, 1);
  assert.equal(ok!.status, 'succeeded');
  assert.equal((await getSub(sub.id)).failingSince, null);
});
