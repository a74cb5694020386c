// The runs whose histories are checked in beside this file (scripts/capture-histories.ts writes
// them; replay-histories.test.ts replays them). Each returns the workflow ids to keep, by label.
import {
  bulkRetryWorkflowId,
  deliveryWorkflowId,
  eventWorkflowId,
  fanOutShardWorkflowId,
  fifoQueueWorkflowId,
  purgeScheduleId,
  reconcileScheduleId,
  replayWorkflowId,
} from '../../../src/contract';
import { createSubscription, waitForEventDone } from '../../helpers/api';
import type { Reply, TestReceiver } from '../../helpers/receiver';
import type { Stack } from '../../helpers/stack';
import { seedSubscriptions } from '../../helpers/seed';
import { waitUntil } from '../../helpers/wait';

export interface Scenario {
  name: string;
  /** Workflow ids to keep, by label; `<id>#<runId>` names one run of a workflow that continued as new. */
  run(stack: Stack, receiver: TestReceiver): Promise<Record<string, string>>;
}

async function closed(stack: Stack, workflowId: string): Promise<void> {
  const handle = stack.env.client.workflow.getHandle(workflowId);
  await waitUntil(async () => (await handle.describe()).status.name !== 'RUNNING', { timeoutMs: 60_000, what: `${workflowId} to close` });
}

/** Runs the reconcile schedule now; returns the sweep it started, as the schedule's last action names it. */
const triggerSweep = (stack: Stack) => triggerSchedule(stack, reconcileScheduleId(stack.config.TASK_QUEUE));

async function triggerSchedule(stack: Stack, scheduleId: string) {
  const schedule = stack.env.client.schedule.getHandle(scheduleId);
  const before = (await schedule.describe()).info.numActionsTaken;
  await schedule.trigger();
  const actions = await waitUntil(async () => {
    const d = await schedule.describe();
    return d.info.numActionsTaken > before && d.info.recentActions;
  });
  return actions[actions.length - 1]!.action.workflow;
}

async function post(stack: Stack, type: string): Promise<string> {
  const res = await stack.api('POST', '/v1/events', { tenantId: 'default', type, data: { type } });
  return res.body.id as string;
}

async function singleDelivery(stack: Stack, receiver: TestReceiver, path: string, extra: Record<string, unknown> = {}) {
  const type = `h.${path.slice(1)}`;
  const sub = await createSubscription(stack, { url: receiver.url(path), eventTypes: [type], ...extra });
  const eventId = await post(stack, type);
  return { sub, eventId, deliveryId: deliveryWorkflowId(eventId, sub.id) };
}

/** The receiver answers by path: /flaky… fails its first request, /down… all, /hang… never, everything else gets a 2xx. */
export function historyReceiverReply(path: string, nth: number): Reply {
  if (path.startsWith('/hang')) return 'hang';
  if ((path.startsWith('/flaky') && nth === 1) || path.startsWith('/down')) return { status: 500 };
  return { status: path.startsWith('/confirm') ? 202 : 200 };
}

/** An event with one subscriber, run to its end: the event's and the delivery's histories. */
const firstTry = (path: string): Scenario['run'] => async (stack, receiver) => {
  const { eventId, deliveryId } = await singleDelivery(stack, receiver, path);
  await waitForEventDone(stack, eventId, 1);
  await closed(stack, eventWorkflowId(eventId));
  return { event: eventWorkflowId(eventId), delivery: deliveryId };
};

/** A tenant's event with one subscriber of that tenant, run to its end: the event's and the delivery's histories. */
const tenantFirstTry = (tenantId: string, path: string, type: string): Scenario['run'] => async (stack, receiver) => {
  await stack.api('PUT', `/v1/tenants/${tenantId}`, { name: tenantId });
  const sub = await createSubscription(stack, { tenantId, url: receiver.url(path), eventTypes: [type] });
  const res = await stack.api('POST', '/v1/events', { tenantId, type, data: {} });
  const eventId = res.body.id as string;
  await waitForEventDone(stack, eventId, 1);
  await closed(stack, eventWorkflowId(eventId));
  return { event: eventWorkflowId(eventId), delivery: deliveryWorkflowId(eventId, sub.id) };
};

/** A delivery cancelled while its first attempt waits for a receiver (under /hang) that never answers. */
const cancelledMidRequest = (path: string): Scenario['run'] => async (stack, receiver) => {
  const { eventId, deliveryId } = await singleDelivery(stack, receiver, path, { timeoutMs: 30_000 });
  await waitUntil(() => receiver.to(path).length === 1);
  const [d] = await stack.ledger.deliveries.listForEvent(eventId);
  await stack.api('POST', `/v1/deliveries/${d!.id}/cancel`);
  await closed(stack, deliveryId);
  return { delivery: deliveryId };
};

/** One delivery run to its end under `extra` (a schedule, a receiver that fails): its history. */
const deliveryToEnd = (path: string, extra: Record<string, unknown>): Scenario['run'] => async (stack, receiver) => {
  const { eventId, deliveryId } = await singleDelivery(stack, receiver, path, extra);
  await waitForEventDone(stack, eventId, 1);
  await closed(stack, deliveryId);
  return { delivery: deliveryId };
};

/** A 2xx awaiting confirmation, then confirmed by the receiver. */
const confirmed = (path: string): Scenario['run'] => async (stack, receiver) => {
  const { eventId, deliveryId } = await singleDelivery(stack, receiver, path, { confirmation: { required: true, timeout: '1m' } });
  await waitUntil(() => receiver.to(path).length > 0 && stack.ledger.deliveries.listForEvent(eventId).then(([d]) => d?.status === 'awaiting_confirmation'));
  await fetch(String(receiver.to(path)[0]!.headers['webhook-confirm-url']), { method: 'POST' });
  await closed(stack, deliveryId);
  return { delivery: deliveryId };
};

/** A failing receiver with an hour before the next attempt: cancelled while waiting for it. */
const cancelledBetweenRetries = (path: string): Scenario['run'] => async (stack, receiver) => {
  const { eventId, deliveryId } = await singleDelivery(stack, receiver, path, { retrySchedule: ['0', '1h'] });
  const d = await waitUntil(async () => (await stack.ledger.deliveries.listForEvent(eventId)).find((x) => x.nextAttemptAt));
  await stack.api('POST', `/v1/deliveries/${d.id}/cancel`);
  await closed(stack, deliveryId);
  return { delivery: deliveryId };
};

/** The capture stack runs shards of 2: five subscribers make three shards. */
const severalShards = (name: string): Scenario['run'] => async (stack, receiver) => {
  for (let i = 0; i < 5; i++) await createSubscription(stack, { url: receiver.url(`/${name}-${i}`), eventTypes: [`h.${name}`] });
  const eventId = await post(stack, `h.${name}`);
  await waitForEventDone(stack, eventId, 5);
  await closed(stack, eventWorkflowId(eventId));
  return { event: eventWorkflowId(eventId), shard: fanOutShardWorkflowId(eventId, 1) };
};

export const SCENARIOS: Scenario[] = [
  { name: 'first-try-success', run: firstTry('/ok') },
  { name: 'retried', run: deliveryToEnd('/flaky', { retrySchedule: ['0', '200ms', '200ms'] }) },
  { name: 'confirmed', run: confirmed('/confirm-ok') },
  {
    name: 'cancelled-waiting',
    async run(stack, receiver) {
      const { eventId, deliveryId } = await singleDelivery(stack, receiver, '/confirm-cancel', { confirmation: { required: true, timeout: '1m' } });
      const delivery = await waitUntil(async () => {
        const [d] = await stack.ledger.deliveries.listForEvent(eventId);
        return d?.status === 'awaiting_confirmation' && d;
      });
      await stack.api('POST', `/v1/deliveries/${delivery.id}/cancel`);
      await closed(stack, deliveryId);
      await closed(stack, eventWorkflowId(eventId));
      return { delivery: deliveryId, event: eventWorkflowId(eventId) };
    },
  },
  { name: 'several-shards', run: severalShards('shard') },
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
    // Since the patch reconcile-kinds-in-one-call: an idle sweep is one activity.
    name: 'reconcile-one-call',
    run: (stack, receiver) => SCENARIOS.find((s) => s.name === 'reconcile')!.run(stack, receiver),
  },
  {
    name: 'reconcile',
    async run(stack) {
      const { workflowId } = await triggerSweep(stack);
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
  {
    name: 'not-confirmed-then-retried',
    async run(stack, receiver) {
      const extra = { retrySchedule: ['0', '300ms'], confirmation: { required: true, timeout: '1s' } };
      const { deliveryId } = await singleDelivery(stack, receiver, '/confirm-late', extra);
      await receiver.waitFor(() => receiver.to('/confirm-late').length >= 2, 30_000);
      await fetch(String(receiver.to('/confirm-late')[1]!.headers['webhook-confirm-url']), { method: 'POST' });
      await closed(stack, deliveryId);
      return { delivery: deliveryId };
    },
  },
  { name: 'exhausted', run: deliveryToEnd('/down-all', { retrySchedule: ['0', '100ms'] }) },
  { name: 'cancelled-between-retries', run: cancelledBetweenRetries('/down-wait') },
  {
    name: 'bulk-retry-cancelled',
    async run(stack, receiver) {
      // Enough failed deliveries that the job is still starting them when the cancel comes.
      const eventId = await failedDeliveries(stack, receiver, 500);
      const job = await stack.api('POST', '/v1/deliveries/retry', { eventId, limit: 500 });
      const workflowId = bulkRetryWorkflowId(job.body.id as string);
      const handle = stack.env.client.workflow.getHandle(workflowId);
      await waitUntil(async () => (await handle.describe()).raw.pendingActivities?.length);
      await stack.api('POST', `/v1/retries/${job.body.id as string}/cancel`);
      await closed(stack, workflowId);
      return { job: workflowId };
    },
  },
  {
    // Three deliveries through a FIFO queue; the first fails (/flaky, one attempt), so the queue re-reads once.
    name: 'fifo-queue',
    async run(stack, receiver) {
      const sub = await createSubscription(stack, { url: receiver.url('/flaky'), eventTypes: ['h.fifo'], ordering: 'fifo', retrySchedule: [0] });
      const events = [await post(stack, 'h.fifo'), await post(stack, 'h.fifo'), await post(stack, 'h.fifo')];
      for (const eventId of events) await waitForEventDone(stack, eventId, 1);
      await closed(stack, fifoQueueWorkflowId(sub.id));
      return { queue: fifoQueueWorkflowId(sub.id) };
    },
  },
  {
    // Since tenants and sequence numbers: the event workflow starts its child with WebhookTenantId
    // and a `#n` summary (src/contract/start-options.ts).
    name: 'tenant-first-try',
    run: tenantFirstTry('history-tenant', '/ok-tenant', 'h.tenant'),
  },
  {
    // Eleven failing deliveries: each failure makes the queue read again, so ten reads in it
    // continues as new, and the next run delivers the last one.
    name: 'fifo-queue-continued',
    async run(stack, receiver) {
      const sub = await createSubscription(stack, { url: receiver.url('/down-fifo'), eventTypes: ['h.fifo-long'], ordering: 'fifo', retrySchedule: [0] });
      // Posted with no worker, so that all eleven are queued before the queue first reads.
      await stack.stopWorker();
      const events: string[] = [];
      for (let i = 0; i < 11; i++) events.push(await post(stack, 'h.fifo-long'));
      await stack.startWorker();
      for (const eventId of events) await waitForEventDone(stack, eventId, 1);
      const queue = fifoQueueWorkflowId(sub.id);
      await closed(stack, queue);
      const runs: { runId: string; startTime: Date }[] = [];
      for await (const wf of stack.env.client.workflow.list({ query: `WorkflowId = "${queue}"` })) runs.push(wf);
      if (runs.length !== 2) throw new Error(`expected the queue to run twice (continued as new), got ${runs.length} runs`);
      const [first, continued] = runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      return { 'first-run': `${queue}#${first!.runId}`, 'continued-run': `${queue}#${continued!.runId}` };
    },
  },
  // Since the fan-out's ledger write and each run's first attempt are local activities (the
  // inputs' recordFanOutLocally and firstAttemptLocally): the same runs on the new paths.
  { name: 'local-first-try', run: firstTry('/ok-local') },
  // The local first attempt fails; a timer waits the schedule's delay, then the regular activity succeeds.
  { name: 'local-retried', run: deliveryToEnd('/flaky-local', { retrySchedule: ['0', '200ms', '200ms'] }) },
  // A one-attempt schedule: the local attempt's failure ends the delivery.
  { name: 'local-exhausted', run: deliveryToEnd('/down-local', { retrySchedule: ['0'] }) },
  // Cancelled during the timer after a failed local attempt.
  { name: 'local-cancelled-between-retries', run: cancelledBetweenRetries('/down-wait-local') },
  { name: 'local-several-shards', run: severalShards('sharded-local') },
  // The local first attempt answered 2xx, then the confirmation wait.
  { name: 'local-confirmed', run: confirmed('/confirm-ok-local') },
  // Cancelled while the local first attempt waits for a receiver that never answers.
  { name: 'local-cancelled-mid-request', run: cancelledMidRequest('/hang-local') },
  // Since fair dispatch (issue 17): every workflow carries its tenant's fairness key, and a new
  // run makes its first attempt in the regular activity again (no firstAttemptLocally).
  { name: 'fair-tenant-first-try', run: tenantFirstTry('fair-tenant', '/ok-fair', 'h.fair') },
  { name: 'fair-retried', run: deliveryToEnd('/flaky-fair', { retrySchedule: ['0', '200ms', '200ms'] }) },
  // Cancelled while the regular first attempt waits for a receiver that never answers.
  { name: 'fair-cancelled-mid-request', run: cancelledMidRequest('/hang-fair') },
  // Since the patch tell-job-finished: a finished bulk retry or replay is told as an operational event.
  { name: 'bulk-retry-told', run: (stack, receiver) => SCENARIOS.find((s) => s.name === 'bulk-retry')!.run(stack, receiver) },
  { name: 'replay-told', run: (stack, receiver) => SCENARIOS.find((s) => s.name === 'replay')!.run(stack, receiver) },
  {
    name: 'purge',
    async run(stack) {
      const { workflowId } = await triggerSchedule(stack, purgeScheduleId(stack.config.TASK_QUEUE));
      await closed(stack, workflowId);
      return { run: workflowId };
    },
  },
  {
    name: 'reconcile-continued',
    async run(stack, receiver) {
      const runs = await sweepPastOnePage(stack, receiver);
      return { 'first-run': runs.first, 'continued-run': runs.continued };
    },
  },
];

/** `count` deliveries of one event that failed for good, to subscriptions with a one-attempt schedule. */
async function failedDeliveries(stack: Stack, receiver: TestReceiver, count: number) {
  await seedSubscriptions(stack.ledger, count, { url: receiver.url('/down-bulk'), eventTypes: ['h.bulk'], retrySchedule: [0] });
  const { event } = await stack.ledger.events.insert({ tenantId: 'default', id: 'evt_bulk_failed', type: 'h.bulk', data: {} });
  await stack.ledger.events.recordFanOut(event.id, count, 'event:seeded');
  await stack.ledger.db.updateTable('deliveries').set({ status: 'failed', owner: null }).where('event_id', '=', event.id).execute();
  return event.id;
}

/** Rows enough for the sweep to continue as new: pending deliveries that a running workflow owns. */
const OWNED_ROWS = 101 * 100;

async function sweepPastOnePage(stack: Stack, receiver: TestReceiver): Promise<{ first: string; continued: string }> {
  const owner = await singleDelivery(stack, receiver, '/confirm-owner', { confirmation: { required: true, timeout: '1h' } });
  await waitUntil(async () => (await stack.ledger.deliveries.listForEvent(owner.eventId))[0]?.status === 'awaiting_confirmation');
  await seedSubscriptions(stack.ledger, OWNED_ROWS, { url: receiver.url('/owned'), eventTypes: ['h.owned'] });
  const { event } = await stack.ledger.events.insert({ tenantId: 'default', id: 'evt_owned_rows', type: 'h.owned', data: {} });
  const long = '2020-01-01T00:00:00.000Z';
  await stack.ledger.events.recordFanOut(event.id, OWNED_ROWS, owner.deliveryId);
  await stack.ledger.db.updateTable('deliveries').set({ updated_at: long }).where('event_id', '=', event.id).execute();
  const { workflowId, firstExecutionRunId } = await triggerSweep(stack);
  await closed(stack, workflowId);
  const latest = await stack.env.client.workflow.getHandle(workflowId).describe();
  await stack.env.client.workflow.getHandle(owner.deliveryId).terminate('history captured');
  return { first: `${workflowId}#${firstExecutionRunId}`, continued: `${workflowId}#${latest.runId}` };
}
