// The runs whose histories are checked in beside this file (scripts/capture-histories.ts writes
// them; replay-histories.test.ts replays them). Each returns the workflow ids to keep, by label.
import {
  bulkRetryWorkflowId,
  deliveryWorkflowId,
  eventWorkflowId,
  fanOutShardWorkflowId,
  reconcileScheduleId,
  replayWorkflowId,
} from '../../../src/contract';
import { createSubscription, waitForEventDone } from '../../helpers/api';
import type { TestReceiver } from '../../helpers/receiver';
import type { Stack } from '../../helpers/stack';
import { waitUntil } from '../../helpers/wait';

export interface Scenario {
  name: string;
  run(stack: Stack, receiver: TestReceiver): Promise<Record<string, string>>;
}

async function closed(stack: Stack, workflowId: string): Promise<void> {
  const handle = stack.env.client.workflow.getHandle(workflowId);
  await waitUntil(async () => (await handle.describe()).status.name !== 'RUNNING', { timeoutMs: 60_000, what: `${workflowId} to close` });
}

async function post(stack: Stack, type: string): Promise<string> {
  const res = await stack.api('POST', '/v1/events', { type, data: { type } });
  return res.body.id as string;
}

async function singleDelivery(stack: Stack, receiver: TestReceiver, path: string, extra: Record<string, unknown> = {}) {
  const type = `h.${path.slice(1)}`;
  const sub = await createSubscription(stack, { url: receiver.url(path), eventTypes: [type], ...extra });
  const eventId = await post(stack, type);
  return { sub, eventId, deliveryId: deliveryWorkflowId(eventId, sub.id) };
}

/** The receiver answers by path: /flaky fails its first request, /down all, everything else gets a 2xx. */
export function historyReceiverReply(path: string, nth: number) {
  if ((path === '/flaky' && nth === 1) || path === '/down') return { status: 500 };
  return { status: path.startsWith('/confirm') ? 202 : 200 };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'first-try-success',
    async run(stack, receiver) {
      const { eventId, deliveryId } = await singleDelivery(stack, receiver, '/ok');
      await waitForEventDone(stack, eventId, 1);
      await closed(stack, eventWorkflowId(eventId));
      return { event: eventWorkflowId(eventId), delivery: deliveryId };
    },
  },
  {
    name: 'retried',
    async run(stack, receiver) {
      const { eventId, deliveryId } = await singleDelivery(stack, receiver, '/flaky', { retrySchedule: ['0', '200ms', '200ms'] });
      await waitForEventDone(stack, eventId, 1);
      await closed(stack, deliveryId);
      return { delivery: deliveryId };
    },
  },
  {
    name: 'confirmed',
    async run(stack, receiver) {
      const { eventId, deliveryId } = await singleDelivery(stack, receiver, '/confirm-ok', { confirmation: { required: true, timeout: '1m' } });
      await waitUntil(() => receiver.to('/confirm-ok').length > 0 && stack.ledger.listEventDeliveries(eventId).then(([d]) => d?.status === 'awaiting_confirmation'));
      await fetch(String(receiver.to('/confirm-ok')[0]!.headers['webhook-confirm-url']), { method: 'POST' });
      await closed(stack, deliveryId);
      return { delivery: deliveryId };
    },
  },
  {
    name: 'cancelled-waiting',
    async run(stack, receiver) {
      const { eventId, deliveryId } = await singleDelivery(stack, receiver, '/confirm-cancel', { confirmation: { required: true, timeout: '1m' } });
      const delivery = await waitUntil(async () => {
        const [d] = await stack.ledger.listEventDeliveries(eventId);
        return d?.status === 'awaiting_confirmation' && d;
      });
      await stack.api('POST', `/v1/deliveries/${delivery.id}/cancel`);
      await closed(stack, deliveryId);
      await closed(stack, eventWorkflowId(eventId));
      return { delivery: deliveryId, event: eventWorkflowId(eventId) };
    },
  },
  {
    name: 'several-shards',
    async run(stack, receiver) {
      // The capture stack runs shards of 2: five subscribers make three shards.
      for (let i = 0; i < 5; i++) await createSubscription(stack, { url: receiver.url(`/shard-${i}`), eventTypes: ['h.sharded'] });
      const eventId = await post(stack, 'h.sharded');
      await waitForEventDone(stack, eventId, 5);
      await closed(stack, eventWorkflowId(eventId));
      return { event: eventWorkflowId(eventId), shard: fanOutShardWorkflowId(eventId, 1) };
    },
  },
  {
    name: 'replay',
    async run(stack, receiver) {
      const since = new Date(Date.now() - 1000).toISOString();
      const { sub, eventId } = await singleDelivery(stack, receiver, '/replayed');
      await waitForEventDone(stack, eventId, 1);
      const started = await stack.api('POST', `/v1/subscriptions/${sub.id}/replay`, { since });
      const workflowId = replayWorkflowId(started.body.id as string);
      await closed(stack, workflowId);
      return { replay: workflowId };
    },
  },
  {
    name: 'reconcile',
    async run(stack) {
      const schedule = stack.env.client.schedule.getHandle(reconcileScheduleId(stack.config.TASK_QUEUE));
      const before = (await schedule.describe()).info.numActionsTaken;
      await schedule.trigger();
      const actions = await waitUntil(async () => {
        const d = await schedule.describe();
        return d.info.numActionsTaken > before && d.info.recentActions;
      });
      const workflowId = actions[actions.length - 1]!.action.workflow.workflowId;
      await closed(stack, workflowId);
      return { sweep: workflowId };
    },
  },
  {
    name: 'bulk-retry',
    async run(stack, receiver) {
      const { sub, eventId } = await singleDelivery(stack, receiver, '/down', { retrySchedule: ['0'] });
      await waitForEventDone(stack, eventId, 1);
      const job = await stack.api('POST', '/v1/deliveries/retry', { subscriptionId: sub.id });
      const workflowId = bulkRetryWorkflowId(job.body.id as string);
      await closed(stack, workflowId);
      return { job: workflowId };
    },
  },
];
