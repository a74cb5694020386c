import assert from 'node:assert/strict';
import { test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { createLogger } from '../../src/core/logger';
import { createWorker } from '../../src/worker/create-worker';
import { eventWorkflowId, fanOutShardWorkflowId } from '../../src/contract';
import { waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { testWorkflowBundle } from '../helpers/temporal';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Temporal's limits lowered so a few hundred subscribers cross them: at most 25 pending children
// per workflow and 400 events per history. Shards of 20, loaded 7 at a time, keep under both.
const PENDING_CHILDREN_LIMIT = 25;
const HISTORY_LIMIT = 400;
const receiver = new TestReceiver((req) => (req.path.startsWith('/down') ? { status: 500 } : { status: 200 }));
const stack = useStack(
  {
    fanOutShardSize: 20,
    fanOutPageSize: 7,
    temporalArgs: [
      '--dynamic-config-value',
      `limit.numPendingChildExecutions.error=${PENDING_CHILDREN_LIMIT}`,
      '--dynamic-config-value',
      `limit.historyCount.error=${HISTORY_LIMIT}`,
    ],
  },
  receiver,
);

async function subscribe(count: number, path: string, type: string, retrySchedule?: number[]) {
  for (let i = 0; i < count; i++) {
    await stack.ledger.subscriptions.create({ tenantId: 'default', url: receiver.url(`${path}/${i}`), eventTypes: [type], secret: `whsec_${Buffer.alloc(32, i).toString('base64')}`, retrySchedule });
  }
}

async function historyLength(workflowId: string): Promise<number> {
  return (await stack.env.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
}

test('an event with 150 subscribers fans out through shards, every history and child count under the lowered limits', async () => {
  await subscribe(150, '/ok', 'wide.event');
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'wide.event', data: {} });
  const eventId = posted.body.id as string;
  const deliveries = await waitForEventDone(stack, eventId, 150, 120_000);
  assert.ok(deliveries.every((d) => d.status === 'succeeded' && d.attempts.length === 1));
  assert.equal(new Set(receiver.requests.filter((r) => r.headers['webhook-id'] === eventId).map((r) => r.path)).size, 150);
  assert.equal(receiver.requests.filter((r) => r.headers['webhook-id'] === eventId).length, 150, 'each once');

  const result = await stack.env.client.workflow.getHandle(eventWorkflowId(eventId)).result();
  assert.deepEqual(result, { deliveries: 150, succeeded: 150, failed: 0, cancelled: 0 });
  const lengths = [await historyLength(eventWorkflowId(eventId))];
  for (let i = 0; i < 8; i++) lengths.push(await historyLength(fanOutShardWorkflowId(eventId, i)));
  assert.ok(lengths.every((n) => n > 0 && n < HISTORY_LIMIT / 2), `history lengths ${lengths.join(', ')}`);
});

test('without shards the same fan-out would break the pending-children limit (the limit is real)', async () => {
  // A worker whose single shard holds every delivery, on its own task queue.
  const config = { ...stack.config, TASK_QUEUE: `${stack.config.TASK_QUEUE}-unsharded` };
  const worker = await createWorker({
    workflowBundle: testWorkflowBundle(),
    config,
    connection: stack.env.nativeConnection,
    ledger: stack.ledger,
    logger: createLogger('test', 'silent'),
    fanOutShardSize: 1000,
  });
  const running = worker.run();
  try {
    const { event } = await stack.ledger.events.insert({ tenantId: 'default', id: 'evt_unsharded', type: 'wide.event', data: {} });
    await stack.env.client.workflow.start('eventWorkflow', {
      taskQueue: config.TASK_QUEUE,
      workflowId: eventWorkflowId(event.id),
      args: [{ eventId: event.id, eventType: event.type }],
    });
    // One shard of 150 runs inside the event workflow itself.
    const eventRun = stack.env.client.workflow.getHandle(eventWorkflowId(event.id));
    const cause = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED;
    await waitUntil(
      async () => {
        const history = await eventRun.fetchHistory();
        return history.events?.some((e) => e.workflowTaskFailedEventAttributes?.cause === cause);
      },
      { timeoutMs: 60_000, what: 'Temporal to refuse the 26th pending child' },
    );
    await eventRun.terminate('limit demonstrated');
  } finally {
    worker.shutdown();
    await running;
  }
});

test('cancelling the event workflow reaches every delivery of every shard', async () => {
  await subscribe(45, '/down', 'wide.cancel', [0, 3_600_000]);
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'wide.cancel', data: {} });
  const eventId = posted.body.id as string;
  await waitUntil(
    async () => (await stack.ledger.deliveries.listForEvent(eventId)).filter((d) => d.nextAttemptAt !== null).length === 45,
    { timeoutMs: 120_000, what: 'all 45 deliveries waiting for their retry' },
  );
  await stack.env.client.workflow.getHandle(eventWorkflowId(eventId)).cancel();
  const deliveries = await waitForEventDone(stack, eventId, 45, 120_000);
  assert.ok(deliveries.every((d) => d.status === 'cancelled'));
  const handle = stack.env.client.workflow.getHandle(eventWorkflowId(eventId));
  await assert.rejects(handle.result());
  assert.equal((await handle.describe()).status.name, 'CANCELLED');
  for (let i = 0; i < 3; i++) {
    assert.equal((await stack.env.client.workflow.getHandle(fanOutShardWorkflowId(eventId, i)).describe()).status.name, 'CANCELLED');
  }
});
