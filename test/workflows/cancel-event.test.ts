import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { deliveryWorkflowId, eventWorkflowId } from '../../src/contract';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const receiver = new TestReceiver((req, nth) => {
  if (req.path === '/busy' && nth === 1) return { status: 429, headers: { 'retry-after': '1' } };
  return req.path.startsWith('/down') ? { status: 500 } : { status: 200 };
});
const stack = useStack({}, receiver);

test('cancelling an event workflow cancels its waiting deliveries, in the ledger and in Temporal', async () => {
  // Two receivers that keep failing, with an hour before their second attempt.
  const subs = await Promise.all(
    ['/down', '/down?b'].map((path) =>
      createSubscription(stack, { url: receiver.url(path), eventTypes: ['report.ready'], retrySchedule: ['0', '1h'] }),
    ),
  );
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'report.ready', data: {} });
  const eventId = posted.body.id as string;
  await waitUntil(
    async () => {
      const ds = await stack.ledger.deliveries.listForEvent(eventId);
      return ds.length === 2 && ds.every((d) => d.status === 'delivering' && d.nextAttemptAt !== null);
    },
    { what: 'both deliveries waiting for their retry' },
  );

  await stack.env.client.workflow.getHandle(eventWorkflowId(eventId)).cancel();

  const deliveries = await waitForEventDone(stack, eventId, 2);
  for (const d of deliveries) {
    assert.equal(d.status, 'cancelled');
    assert.equal(d.nextAttemptAt, null);
    assert.deepEqual(d.attempts.map((a) => a.outcome), ['failed']);
  }
  const eventRun = stack.env.client.workflow.getHandle(eventWorkflowId(eventId));
  await assert.rejects(eventRun.result(), WorkflowFailedError);
  assert.equal((await eventRun.describe()).status.name, 'CANCELLED');
  for (const sub of subs) {
    const desc = await stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id)).describe();
    assert.equal(desc.status.name, 'CANCELLED');
  }
  assert.equal(receiver.requests.length, 2, 'no attempt after the cancel');
});

test('a 429 with Retry-After delays the next attempt past the schedule', async () => {
  await createSubscription(stack, { url: receiver.url('/busy'), eventTypes: ['rate.limited'], retrySchedule: ['0', '10ms'] });
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'rate.limited', data: {} });
  const [d] = await waitForEventDone(stack, posted.body.id as string, 1);
  assert.equal(d!.status, 'succeeded');
  const [first, second] = receiver.to('/busy');
  assert.ok(second!.receivedAt - first!.receivedAt >= 950, `retried after ${second!.receivedAt - first!.receivedAt} ms`);
});
