import assert from 'node:assert/strict';
import { test } from 'node:test';
import { temporal } from '@temporalio/proto';
import {
  bulkRetryWorkflowId,
  deliveryWorkflowId,
  eventWorkflowId,
  fairnessKeyOf,
  fifoQueueWorkflowId,
  reconcileScheduleId,
  replayWorkflowId,
  SYSTEM_FAIRNESS_KEY,
} from '../../src/contract';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Paths under /hang never answer while the test runs; every other path answers 200 at once.
const receiver = new TestReceiver((req) => (req.path.startsWith('/hang') ? 'hang' : { status: 200 }));
// Few activity slots, so that capacity held by one tenant would be everyone's capacity.
const stack = useStack({ workerActivitySlots: 6 }, receiver);

async function tenant(id: string, body: Record<string, unknown> = {}) {
  const res = await stack.api('PUT', `/v1/tenants/${id}`, { name: id, ...body });
  assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.body));
  return res.body;
}

async function subscribe(tenantId: string, path: string, eventType: string, timeoutMs = 30_000) {
  const res = await stack.api('POST', '/v1/subscriptions', { tenantId, url: receiver.url(path), eventTypes: [eventType], timeoutMs });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

async function post(tenantId: string, type: string, id?: string) {
  const res = await stack.api('POST', '/v1/events', { tenantId, type, data: { n: 1 }, ...(id && { id }) });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.id as string;
}

test("a tenant's hanging endpoints hold at most its attemptsInFlight; another tenant's delivery goes through beside them", async () => {
  await tenant('hog', { limits: { attemptsInFlight: 3 } });
  await tenant('small');
  for (let i = 0; i < 8; i++) await subscribe('hog', `/hang/hog-${i}`, 'cap.hang');
  await subscribe('small', '/small', 'cap.ok', 5_000);
  await post('hog', 'cap.hang');
  await waitUntil(() => receiver.hangingNow === 3, { timeoutMs: 20_000, what: "the hog's attempts to fill its 3 slots" });
  // The hog's other 5 deliveries are deferred, not sent: its receivers never see more than 3 at once.
  const smallEvent = await post('small', 'cap.ok');
  await receiver.waitFor(() => receiver.to('/small').length === 1, 20_000, "the small tenant's delivery");
  assert.equal(receiver.hangingNow, 3, "the hog's requests are still hanging: the small tenant did not wait for their timeouts");
  assert.equal(receiver.abandoned, 0);
  assert.equal(receiver.requests.filter((r) => r.path.startsWith('/hang/hog')).length, 3, 'no fourth request of the hog was sent');
  assert.equal(receiver.to('/small')[0]!.headers['webhook-id'], smallEvent);
  // The deferred ones are waiting in Temporal's retry, marked as deferrals, with no attempt counted.
  const hogDeliveries = await stack.ledger.deliveries.find({ tenantId: 'hog', statuses: ['pending', 'delivering'], limit: 10 });
  assert.equal(hogDeliveries.length, 8);
  assert.equal(hogDeliveries.filter((d) => d.attemptCount === 1).length, 3, 'only the three in flight have an attempt');
});

test("a small tenant's delivery is not queued behind a large tenant's backlog (Temporal's task queue fairness)", async () => {
  await tenant('big');
  await tenant('tiny');
  await subscribe('big', '/big', 'fair.big', 5_000);
  await subscribe('tiny', '/tiny', 'fair.tiny', 5_000);
  // A backlog that no worker takes yet: the big tenant's 120 events, then the tiny tenant's one.
  await stack.stopWorker();
  const big = 120;
  const batch = Array.from({ length: big }, (_, i) => ({ id: `fair-big-${i}`, tenantId: 'big', type: 'fair.big', data: { i } }));
  const accepted = await stack.api('POST', '/v1/events/batch', { events: batch });
  assert.ok(accepted.status < 300, JSON.stringify(accepted.body).slice(0, 300));
  await post('tiny', 'fair.tiny', 'fair-tiny-0');
  await stack.startWorker();
  await receiver.waitFor(() => receiver.to('/big').length === big && receiver.to('/tiny').length === 1, 120_000, 'every delivery');
  const order = receiver.requests.filter((r) => r.path === '/big' || r.path === '/tiny').map((r) => r.path);
  const position = order.indexOf('/tiny');
  console.log(`[fairness] the tiny tenant's delivery arrived ${position + 1}th of ${order.length}`);
  // First come, first served would put it last (121st); fairness lets it through near the front.
  assert.ok(position < big / 4, `the tiny tenant's delivery came ${position + 1}th of ${order.length}`);
});

test("an operator's fairness weight becomes Temporal's weight override for the tenant's key, and a worker start (or reconciler sweep) brings Temporal back to the ledger", async () => {
  await tenant('heavy', { fairnessWeight: 4.5 });
  const overrides = async (type: temporal.api.enums.v1.TaskQueueType) =>
    (
      await stack.env.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: stack.config.TASK_QUEUE },
        taskQueueType: type,
        reportConfig: true,
      })
    ).config?.fairnessWeightOverrides ?? {};
  const { TASK_QUEUE_TYPE_WORKFLOW: WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY: ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
  assert.equal((await overrides(WORKFLOW))[fairnessKeyOf('heavy')], 4.5);
  assert.equal((await overrides(ACTIVITY))[fairnessKeyOf('heavy')], 4.5);
  assert.equal((await stack.api('GET', '/v1/tenants/heavy')).body.fairnessWeight, 4.5);
  // Back to 1: the override goes.
  await tenant('heavy', { fairnessWeight: 1 });
  assert.equal((await overrides(ACTIVITY))[fairnessKeyOf('heavy')], undefined);
  // Out of range: a 400 naming the field, and nothing changes.
  for (const fairnessWeight of [0, 1001, 'x']) {
    const bad = await stack.api('PUT', '/v1/tenants/heavy', { name: 'heavy', fairnessWeight });
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.body.errors as { field: string }[]).map((e) => e.field), ['fairnessWeight']);
  }
  // A weight Temporal lost (or never got) comes back with a worker's start.
  await tenant('heavy', { fairnessWeight: 2 });
  await stack.env.client.workflowService.updateTaskQueueConfig({
    namespace: 'default',
    identity: 'test',
    taskQueue: stack.config.TASK_QUEUE,
    taskQueueType: ACTIVITY,
    unsetFairnessWeightOverrides: [fairnessKeyOf('heavy')],
    setFairnessWeightOverrides: { stale: 3, [SYSTEM_FAIRNESS_KEY]: 2 },
  });
  await stack.stopWorker();
  await stack.startWorker();
  await waitUntil(async () => (await overrides(ACTIVITY))[fairnessKeyOf('heavy')] === 2, { timeoutMs: 10_000, what: 'the weight restored' });
  const after = await overrides(ACTIVITY);
  assert.equal(after.stale, undefined, "a tenant key the ledger does not weigh loses its override");
  assert.equal(after[SYSTEM_FAIRNESS_KEY], 2, "the service's own keys are the operator's to weigh by hand");
});

test("every workflow a tenant's work starts carries its tenant's fairness key; broadcasts and the reconciler their own", async () => {
  await tenant('keyed');
  const sub = (await stack.api('POST', '/v1/subscriptions', { tenantId: 'keyed', url: receiver.url('/keyed'), eventTypes: ['key.*'], ordering: 'fifo' })).body;
  const eventId = await post('keyed', 'key.one');
  const broadcast = (await stack.api('POST', '/v1/events', { broadcast: true, type: 'key.all', data: {} })).body.id as string;
  await receiver.waitFor(() => receiver.to('/keyed').length === 2, 20_000, 'both deliveries');
  const replay = await stack.api('POST', `/v1/subscriptions/${String(sub.id)}/replay`, { since: new Date(Date.now() - 60_000).toISOString() });
  const retry = await stack.api('POST', '/v1/deliveries/retry', { tenantId: 'keyed', status: 'failed' });
  const keyOf = async (workflowId: string) => (await stack.env.client.workflow.getHandle(workflowId).describe()).priority?.fairnessKey;
  const deliveryOf = async (id: string) => deliveryWorkflowId(id, String(sub.id));
  assert.deepEqual(
    await Promise.all([
      keyOf(eventWorkflowId(eventId)),
      keyOf(await deliveryOf(eventId)),
      keyOf(fifoQueueWorkflowId(String(sub.id))),
      keyOf(replayWorkflowId(String(replay.body.id))),
      keyOf(bulkRetryWorkflowId(String(retry.body.id))),
      keyOf(await deliveryOf(broadcast)),
      keyOf(eventWorkflowId(broadcast)),
    ]),
    ['keyed', 'keyed', 'keyed', 'keyed', 'keyed', 'keyed', '~broadcast'],
  );
  const schedule = await stack.env.client.schedule.getHandle(reconcileScheduleId(stack.config.TASK_QUEUE)).describe();
  assert.equal(schedule.action.type === 'startWorkflow' && schedule.action.priority?.fairnessKey, SYSTEM_FAIRNESS_KEY);
});

test('fairness keys: a tenant id, a hash for ids longer than Temporal allows, and keys of their own for broadcasts and system work', () => {
  assert.equal(fairnessKeyOf('acme'), 'acme');
  assert.equal(fairnessKeyOf(null), '~broadcast');
  const long = 'x'.repeat(150);
  assert.equal(fairnessKeyOf(long).length, 64);
  assert.notEqual(fairnessKeyOf(long), fairnessKeyOf(`${'x'.repeat(149)}y`));
  assert.equal(fairnessKeyOf(long), fairnessKeyOf(long));
});
