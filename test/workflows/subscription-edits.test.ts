import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSubscription, getDelivery } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// The first request is answered after 2 s, later ones after 10 s: slower than a 1 s timeout, and
// well past the 1 s + 5 s the activity was allowed when its timeout came from the snapshot.
const receiver = new TestReceiver(async (_req, nth) => {
  await new Promise((resolve) => setTimeout(resolve, nth === 1 ? 2000 : 10_000));
  return { status: 200 };
});
const stack = useStack({}, receiver);

test('a timeoutMs raised mid-delivery applies to the next attempt, activity timeout included', async () => {
  const sub = await createSubscription(stack, {
    url: receiver.url('/slow'),
    eventTypes: ['edit.timeout'],
    timeoutMs: 1000,
    retrySchedule: ['0', '2s', '2s'],
  });
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'edit.timeout', data: {} });
  const eventId = posted.body.id as string;
  const first = await waitUntil(async () => {
    const [d] = await stack.ledger.deliveries.listForEvent(eventId);
    return d && d.attemptCount === 1 && d.nextAttemptAt !== null && d;
  }, { what: 'the first attempt to time out' });
  assert.match((await getDelivery(stack, first.id)).attempts[0]!.error ?? '', /timed out|timeout/i);

  const patched = await stack.api('PATCH', `/v1/subscriptions/${sub.id}`, { timeoutMs: 30_000 });
  assert.equal(patched.status, 200);
  const done = await waitUntil(async () => {
    const d = await getDelivery(stack, first.id);
    return d.status === 'succeeded' && d;
  }, { timeoutMs: 30_000, what: 'the second attempt to succeed' });
  assert.deepEqual(done.attempts.map((a) => [a.number, a.outcome]), [[1, 'failed'], [2, 'succeeded']]);
  assert.ok(done.attempts[1]!.durationMs! >= 9500, `the answer took ${done.attempts[1]!.durationMs} ms, longer than 1 s + 5 s`);
  assert.equal(receiver.requests.length, 2, 'the slow attempt was not given up and sent again');
});
