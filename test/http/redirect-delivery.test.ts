import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { CountingServer } from './counting-server';

// Through the whole stack (gateway, Temporal, worker, ledger). The stack allows private networks,
// so this shows redirects are never followed whatever the address policy.
const internal = new CountingServer('127.0.0.1');
const receiver = new TestReceiver(() => ({ status: 302, headers: { location: `http://127.0.0.1:${internal.port}/latest/meta-data/` } }));
const stack = useStack({}, receiver, internal);

test('a receiver answering a redirect to a private address: a failed attempt, and the target gets no connection', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/moved'), eventTypes: ['audit.*'], retrySchedule: ['0', '10ms'] });
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'audit.redirected', data: {} });
  const [delivery] = await waitForEventDone(stack, posted.body.id as string, 1);

  assert.equal(delivery!.subscriptionId, sub.id);
  assert.equal(delivery!.status, 'failed');
  assert.deepEqual(
    delivery!.attempts.map((a) => [a.outcome, a.statusCode, a.error]),
    [
      ['failed', 302, 'receiver answered 302'],
      ['failed', 302, 'receiver answered 302'],
    ],
  );
  assert.equal(receiver.to('/moved').length, 2);
  assert.equal(internal.connections, 0, 'the redirect target was never connected to');
});
