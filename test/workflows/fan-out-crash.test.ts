import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startEventWorkflow } from '../../src/temporal/event-workflow';
import { eventWorkflowId } from '../../src/contract';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { holdDeliveriesWriteLock, seedSubscriptions } from '../helpers/seed';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { killHard, useWorkerProcesses } from '../helpers/worker-process';

const SUBSCRIBERS = 20_000;
const receiver = new TestReceiver(() => ({ status: 200 }));
const stack = useStack({ withoutWorker: true }, receiver);
const workers = useWorkerProcesses();

/** recordFanOut runs as a local activity: inside the event workflow's task, which stays started meanwhile. */
async function fanOutStarted(eventId: string): Promise<boolean> {
  const { raw } = await stack.env.client.workflow.getHandle(eventWorkflowId(eventId)).describe();
  return Number(raw.pendingWorkflowTask?.state) === 2 /* STARTED */;
}

async function shardsRunning(eventId: string): Promise<number> {
  const { count } = await stack.env.client.workflow.count(`WebhookEventId="${eventId}" AND WorkflowType="fanOutShardWorkflow"`);
  return count;
}

test(`a worker killed while recording a fan-out to ${SUBSCRIBERS.toLocaleString('en')} subscribers is replaced within seconds, not minutes`, async () => {
  await seedSubscriptions(stack.ledger, SUBSCRIBERS, { url: receiver.url('/many'), eventTypes: ['crash.fanout'] });
  // A worker that has proven it runs (its workflow bundle built, its schedule made).
  await createSubscription(stack, { url: receiver.url('/warm'), eventTypes: ['crash.warmup'] });
  workers.spawn(stack.config);
  const warm = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'crash.warmup', data: {} });
  await waitForEventDone(stack, warm.body.id as string, 1, 60_000);

  const { event } = await stack.ledger.events.insert({ tenantId: 'default', id: 'evt_crash_fanout', type: 'crash.fanout', data: {} });
  const lock = await holdDeliveriesWriteLock(stack.config.DATABASE_URL);
  await startEventWorkflow({ client: stack.env.client, taskQueue: stack.config.TASK_QUEUE }, event, 'first');
  await waitUntil(() => fanOutStarted(event.id), { what: 'recordFanOut to be running (and held by the lock)' });
  await killHard(workers.all[0]!);
  await lock.release();

  const back = Date.now();
  workers.spawn(stack.config);
  // Continuing: the fan-out recorded and its shard workflows started (their deliveries follow).
  await waitUntil(async () => (await stack.ledger.events.get(event.id))?.status === 'dispatched' && (await shardsRunning(event.id)) > 0, {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: 'the fan-out to be recorded and its shards started, within 30 s of the new worker',
  });
  console.log(`[fan-out crash] ${SUBSCRIBERS} subscribers: the event continued ${Date.now() - back} ms after a new worker was started`);
  assert.equal((await stack.ledger.deliveries.listForEvent(event.id)).length, SUBSCRIBERS);
});
