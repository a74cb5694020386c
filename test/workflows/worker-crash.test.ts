import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryWorkflowId } from '../../src/contract';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { killHard, useWorkerProcesses } from '../helpers/worker-process';

// The first request is held open while the test kills the worker that sent it.
const receiver = new TestReceiver((_req, nth) => (nth === 1 ? 'hang' : { status: 200, body: 'ok' }));
const stack = useStack({ withoutWorker: true }, receiver);
const workers = useWorkerProcesses();

test('a worker killed mid-delivery is replaced and the delivery still succeeds exactly once', async () => {
  const sub = await createSubscription(stack, {
    url: receiver.url('/orders'),
    eventTypes: ['order.created'],
    retrySchedule: ['0', '100ms', '100ms'],
    timeoutMs: 3000,
  });
  workers.spawn(stack.config);
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'order.created', data: { id: 7 } });
  const eventId = posted.body.id as string;

  await receiver.waitFor(() => receiver.requests.length === 1, 60_000, 'the first attempt');
  await killHard(workers.all[0]!);
  const [inFlight] = await stack.ledger.deliveries.listForEvent(eventId);
  assert.equal(inFlight!.status, 'delivering');
  assert.deepEqual((await stack.ledger.attempts.list(inFlight!.id)).map((a) => a.outcome), ['sending']);

  workers.spawn(stack.config);
  const [delivery] = await waitForEventDone(stack, eventId, 1, 60_000);
  assert.equal(delivery!.status, 'succeeded');
  assert.deepEqual(
    delivery!.attempts.map((a) => [a.number, a.outcome]),
    [
      [1, 'abandoned'],
      [2, 'succeeded'],
    ],
  );
  assert.equal(delivery!.attempts.filter((a) => a.outcome === 'succeeded').length, 1);
  assert.deepEqual(
    receiver.requests.map((r) => r.headers['webhook-id']),
    [eventId, eventId],
    'the receiver can de-duplicate the resend by webhook-id',
  );
  const handle = stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id));
  assert.deepEqual(await handle.result(), { attempt: 2, statusCode: 200, durationMs: delivery!.attempts[1]!.durationMs });
  await waitUntil(async () => (await handle.describe()).status.name === 'COMPLETED');
});
