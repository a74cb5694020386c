import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, test } from 'node:test';
import { deliveryWorkflowId } from '../../src/contract';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { killHard, spawnWorker } from '../helpers/worker-process';

// Every delivery's first attempt fails, so each has a retry that either worker may pick up.
const seen = new Set<string>();
const receiver = new TestReceiver((req) => {
  const key = `${req.path} ${String(req.headers['webhook-id'])}`;
  if (seen.has(key)) return { status: 200 };
  seen.add(key);
  return { status: 500 };
});
const stack = useStack({}, receiver);
let second: ChildProcess | undefined;
after(() => second && killHard(second));

test('two workers on one task queue and one ledger still record exactly one success per delivery', async () => {
  second = spawnWorker(stack.config);
  // Wait until the second worker polls too, so the load is shared from the start.
  await waitUntil(
    async () => {
      const { pollers } = await stack.env.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: stack.config.TASK_QUEUE },
        taskQueueType: 2, // activity
      });
      return new Set(pollers.map((p) => p.identity)).size >= 2;
    },
    { timeoutMs: 60_000, what: 'two workers polling' },
  );

  const subs = [];
  for (let i = 0; i < 3; i++) {
    subs.push(await createSubscription(stack, { url: receiver.url(`/w${i}`), eventTypes: ['two.workers'], retrySchedule: ['0', '10ms'] }));
  }
  const eventIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    eventIds.push((await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'two.workers', data: { i } })).body.id as string);
  }
  for (const eventId of eventIds) {
    const deliveries = await waitForEventDone(stack, eventId, 3, 120_000);
    for (const d of deliveries) {
      assert.equal(d.status, 'succeeded');
      assert.deepEqual(d.attempts.map((a) => a.outcome), ['failed', 'succeeded']);
    }
  }
  // Each webhook reached each receiver exactly twice: the failed attempt and the one success.
  for (let i = 0; i < 3; i++) {
    const ids = receiver.to(`/w${i}`).map((r) => String(r.headers['webhook-id']));
    assert.equal(ids.length, 40);
    assert.deepEqual(new Set(ids), new Set(eventIds));
  }
  // Both workers ran attempts (the identity of each activity worker is in the histories).
  const identities = new Set<string>();
  for (const eventId of eventIds) {
    for (const sub of subs) {
      const history = await stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id)).fetchHistory();
      for (const e of history.events ?? []) if (e.activityTaskStartedEventAttributes?.identity) identities.add(e.activityTaskStartedEventAttributes.identity);
    }
  }
  assert.ok(identities.size >= 2, `attempts ran on ${[...identities].join(', ')}`);
});
