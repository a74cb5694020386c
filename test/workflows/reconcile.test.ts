import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { deliveryWorkflowId, fifoQueueWorkflowId, reconcileProgressQuery, reconcileScheduleId } from '../../src/contract';
import { createSubscription, getDelivery, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Every path answers 200, except while `failing` holds it.
const failing = new Set<string>();
const receiver = new TestReceiver((req) => (failing.has(req.path) ? { status: 500 } : { status: 202 }));
const stack = useStack({ reconcileInterval: '1s', reconcileGrace: '1s' }, receiver);

async function subscribe(path: string, extra: Record<string, unknown> = {}) {
  return createSubscription(stack, { url: receiver.url(path), eventTypes: [`rc.${path.slice(1)}`], retrySchedule: ['0'], ...extra });
}

async function failedDelivery(path: string) {
  failing.add(path);
  const sub = await subscribe(path);
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: `rc.${path.slice(1)}`, data: {} });
  const [delivery] = await waitForEventDone(stack, posted.body.id as string, 1);
  assert.equal(delivery!.status, 'failed');
  failing.delete(path);
  return { sub, delivery: delivery!, eventId: posted.body.id as string };
}

async function statusOf(deliveryId: string, status: string) {
  return waitUntil(
    async () => {
      const d = await getDelivery(stack, deliveryId);
      return d.status === status && d;
    },
    { timeoutMs: 30_000, what: `delivery ${deliveryId} to be ${status}` },
  );
}

test('the reconciler runs on a Temporal Schedule that the worker creates once, visible in Temporal', async () => {
  const handle = stack.env.client.schedule.getHandle(reconcileScheduleId(stack.config.TASK_QUEUE));
  const description = await handle.describe();
  assert.equal(description.spec.intervals?.[0]?.every, 1000);
  assert.equal(description.policies.overlap, ScheduleOverlapPolicy.SKIP);
  assert.equal(description.action.type === 'startWorkflow' && description.action.workflowType, 'reconcileWorkflow');
  // A second worker on the same queue finds the schedule there and leaves it be.
  await stack.stopWorker();
  await stack.startWorker();
  const runs = await waitUntil(async () => {
    const d = await handle.describe();
    return d.info.recentActions.length > 0 && d.info.recentActions;
  });
  const last = runs[runs.length - 1]!.action.workflow;
  const sweep = await stack.env.client.workflow.getHandle(last.workflowId, last.firstExecutionRunId).query(reconcileProgressQuery);
  assert.ok(sweep.examined >= 0 && (sweep.kind === 'events' || sweep.kind === 'deliveries'), 'its progress is queryable');
});

test('an event recorded but never started (the gateway died in between) is started and delivered', async () => {
  await subscribe('/orphan-event');
  // What the ledger holds when the gateway is killed between its write and the workflow start.
  const { event } = await stack.ledger.events.insert({ tenantId: 'default', id: 'evt_orphaned_1', type: 'rc.orphan-event', data: { n: 1 } });
  const [delivery] = await waitForEventDone(stack, event.id, 1);
  assert.equal(delivery!.status, 'succeeded');
  assert.equal(receiver.to('/orphan-event').length, 1);
});

test('a delivery left pending by a retry that never started its workflow is started again', async () => {
  const { delivery } = await failedDelivery('/orphan-retry');
  // What POST /retry leaves when the gateway dies between reopening the delivery and starting it.
  assert.equal(await stack.ledger.deliveries.reopen(delivery.id, ['failed']), 'failed');
  const done = await statusOf(delivery.id, 'succeeded');
  assert.deepEqual(done.attempts.map((a) => [a.number, a.outcome]), [[1, 'failed'], [2, 'succeeded']]);
});

test('a delivery whose workflow was terminated mid-wait is ended as failed, and can then be retried', async () => {
  const sub = await subscribe('/terminated', { confirmation: { required: true, timeout: '1h' } });
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'rc.terminated', data: {} });
  const eventId = posted.body.id as string;
  const [awaiting] = await waitUntil(async () => {
    const ds = await stack.ledger.deliveries.listForEvent(eventId);
    return ds[0]?.status === 'awaiting_confirmation' && ds;
  });
  await stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id)).terminate('an operator in the Web UI');
  const ended = await statusOf(awaiting!.id, 'failed');
  assert.equal(ended.lastError, 'its workflow terminated without recording an end');
  assert.deepEqual(ended.attempts.map((a) => a.outcome), ['abandoned']);
  assert.equal((await stack.api('POST', `/v1/deliveries/${awaiting!.id}/retry`)).status, 202);
});

test('a pending delivery is left to the workflow that owns it while that one runs', async () => {
  const owner = await failedDelivery('/owner');
  const ownerSub = await subscribe('/owner-held', { retrySchedule: ['0', '1h'] });
  failing.add('/owner-held');
  const held = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'rc.owner-held', data: {} });
  const ownerWorkflow = deliveryWorkflowId(held.body.id as string, ownerSub.id);
  await waitUntil(async () => (await stack.ledger.deliveries.listForEvent(held.body.id as string))[0]?.nextAttemptAt);
  // A pending delivery that a still-running workflow is to start (as a replay's queue would hold).
  const pending = await stack.ledger.deliveries.ensure({ id: owner.eventId, type: owner.delivery.eventType }, await subscribe('/owned'), ownerWorkflow);
  const sweepsBefore = await sweepCount();
  await waitUntil(async () => (await sweepCount()) >= sweepsBefore + 3, { what: 'three more sweeps' });
  assert.equal((await getDelivery(stack, pending.id)).status, 'pending', 'left alone while its owner runs');
  await stack.env.client.workflow.getHandle(ownerWorkflow).cancel();
  await statusOf(pending.id, 'succeeded');
});

async function sweepCount(): Promise<number> {
  const d = await stack.env.client.schedule.getHandle(reconcileScheduleId(stack.config.TASK_QUEUE)).describe();
  return d.info.numActionsTaken;
}

test('a FIFO queue terminated with deliveries in it is woken by the reconciler, which never starts them past the queue', async () => {
  failing.add('/fifo-held');
  const sub = await subscribe('/fifo-held', { ordering: 'fifo', retrySchedule: ['0', '1h'] });
  const posts: string[] = [];
  for (let i = 0; i < 3; i++) posts.push((await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'rc.fifo-held', data: { i } })).body.id as string);
  const queue = stack.env.client.workflow.getHandle(fifoQueueWorkflowId(sub.id));
  await waitUntil(async () => (await stack.ledger.deliveries.listForEvent(posts[0]!))[0]?.nextAttemptAt, { what: 'the head failing' });
  // What an operator's terminate in the Web UI leaves: the head is cancelled with its parent, two wait queued.
  const lostRun = (await queue.describe()).runId;
  await queue.terminate('test: the queue is lost');
  failing.delete('/fifo-held');
  const [head, ...rest] = await Promise.all(posts.map(async (eventId) => (await stack.ledger.deliveries.listForEvent(eventId))[0]!.id));
  await statusOf(head!, 'cancelled');
  for (const id of rest) await statusOf(id, 'succeeded');
  const order = receiver.requests.filter((r) => r.path === '/fifo-held').map((r) => Number(r.headers['webhook-sequence']));
  assert.deepEqual([...new Set(order)], [1, 2, 3], 'still in sequence order');
  assert.notEqual((await queue.describe()).runId, lostRun, 'they ran through a new run of the queue, not around it');
  for (let i = 1; i < order.length; i++) assert.ok(order[i]! >= order[i - 1]!, order.join());
});
