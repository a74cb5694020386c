import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as SvixWebhook } from 'svix';
import { deliveryWorkflowId, eventWorkflowId } from '../../src/contract';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// /flaky fails twice, then succeeds; everything else succeeds at once.
const receiver = new TestReceiver((req, nth) =>
  req.path === '/flaky' && nth <= 2 ? { status: 500, body: `boom ${nth}` } : { status: 204 },
);
// Shards of 4 subscribers loaded 3 at a time, so a few subscribers already span shards and pages.
const stack = useStack({ fanOutPageSize: 3, fanOutShardSize: 4 }, receiver);

type Subscription = Awaited<ReturnType<typeof createSubscription>>;
type Delivery = Awaited<ReturnType<typeof waitForEventDone>>[number];

/** The ledger's side: one attempt each for the steady subscribers, two failures then a success for /flaky. */
function assertLedgerAttempts(bySub: Map<string, Delivery>, steady: Subscription[], flaky: Subscription): void {
  for (const sub of steady) {
    const d = bySub.get(sub.id)!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(d.attempts.map((a) => [a.number, a.outcome, a.statusCode]), [[1, 'succeeded', 204]]);
  }
  const f = bySub.get(flaky.id)!;
  assert.equal(f.status, 'succeeded');
  assert.equal(f.attemptCount, 3);
  assert.deepEqual(
    f.attempts.map((a) => [a.number, a.outcome, a.statusCode, a.responseBody]),
    [
      [1, 'failed', 500, 'boom 1'],
      [2, 'failed', 500, 'boom 2'],
      [3, 'succeeded', 204, ''],
    ],
  );
}

/** The deliveries list filters by event, subscription and status. */
async function assertDeliveriesListFilters(eventId: string, deliveries: Delivery[], flaky: Subscription, flakyDelivery: Delivery): Promise<void> {
  const list = async (q: string) => ((await stack.api('GET', `/v1/deliveries?${q}`)).body.data as { id: string }[]).map((d) => d.id);
  assert.deepEqual(new Set(await list(`eventId=${eventId}&status=succeeded`)), new Set(deliveries.map((d) => d.id)));
  assert.deepEqual(await list(`eventId=${eventId}&subscriptionId=${flaky.id}`), [flakyDelivery.id]);
  assert.deepEqual(await list(`eventId=${eventId}&status=failed`), []);
}

/** What the receivers got: the same webhook-id on every attempt, valid signatures, the documented body. */
function assertReceiversGot(eventId: string, matching: [path: string, sub: Subscription][]): void {
  const flakyRequests = receiver.to('/flaky');
  assert.equal(flakyRequests.length, 3);
  assert.deepEqual(new Set(flakyRequests.map((r) => r.headers['webhook-id'])), new Set([eventId]));
  for (const [path, sub] of matching) {
    for (const r of receiver.to(path)) {
      const verified = new SvixWebhook(sub.secret).verify(r.body, r.headers as Record<string, string>);
      assert.deepEqual((verified as { data: unknown }).data, { orderId: 42 });
      const body = JSON.parse(r.body) as { type: string; timestamp: string };
      assert.equal(body.type, 'order.created');
      assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    }
  }
  assert.equal(receiver.to('/other').length, 0);
}

/** Temporal agrees with the ledger, and every workflow of the event is found by its search attribute. */
async function assertTemporalAgrees(eventId: string, delivered: Subscription[]): Promise<void> {
  const client = stack.env.client;
  const eventRun = await client.workflow.getHandle(eventWorkflowId(eventId)).result();
  assert.deepEqual(eventRun, { deliveries: 3, succeeded: 3, failed: 0, cancelled: 0 });
  for (const sub of delivered) {
    const desc = await client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id)).describe();
    assert.equal(desc.status.name, 'COMPLETED');
  }

  // As a user would find them in the Web UI.
  const found = await waitUntil(
    async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `WebhookEventId="${eventId}"` })) ids.push(wf.workflowId);
      return ids.length === 4 && ids;
    },
    { what: 'visibility to list the event workflows' },
  );
  assert.deepEqual(
    new Set(found),
    // One shard's worth of subscribers: the event workflow runs the deliveries itself.
    new Set([eventWorkflowId(eventId), ...delivered.map((s) => deliveryWorkflowId(eventId, s.id))]),
  );
}

test('an event reaches every matching subscriber, retries a failing one, and records each attempt once', async () => {
  const fast = ['0', '50ms', '50ms', '50ms'];
  const subs = await Promise.all([
    createSubscription(stack, { url: receiver.url('/exact'), eventTypes: ['order.created'], retrySchedule: fast }),
    createSubscription(stack, { url: receiver.url('/prefix'), eventTypes: ['order.*'], retrySchedule: fast }),
    createSubscription(stack, { url: receiver.url('/flaky'), eventTypes: ['*'], retrySchedule: fast }),
    createSubscription(stack, { url: receiver.url('/other'), eventTypes: ['user.signed_up'], retrySchedule: fast }),
  ]);
  const [exact, prefix, flaky, other] = subs as [Subscription, Subscription, Subscription, Subscription];

  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'order.created', data: { orderId: 42 } });
  assert.equal(posted.status, 202);
  const eventId = posted.body.id as string;
  assert.equal(posted.body.type, 'order.created');

  const deliveries = await waitForEventDone(stack, eventId, 3);
  const bySub = new Map(deliveries.map((d) => [d.subscriptionId, d]));
  assert.equal(bySub.has(other.id), false, 'a non-matching subscription gets nothing');

  assertLedgerAttempts(bySub, [exact, prefix], flaky);
  await assertDeliveriesListFilters(eventId, deliveries, flaky, bySub.get(flaky.id)!);
  assertReceiversGot(eventId, [['/exact', exact], ['/prefix', prefix], ['/flaky', flaky]]);
  await assertTemporalAgrees(eventId, [exact, prefix, flaky]);

  // Deleted subscriptions match nothing more (the catch-all would otherwise join every later test).
  for (const sub of subs) assert.equal((await stack.api('DELETE', `/v1/subscriptions/${sub.id}`)).status, 204);
  assert.equal((await stack.api('GET', `/v1/subscriptions/${flaky.id}`)).status, 404);
});

test('a delivery whose schedule runs out ends failed, in the ledger and in Temporal', async () => {
  const down = new TestReceiver(() => ({ status: 503, body: 'down' }));
  await down.start();
  try {
    const sub = await createSubscription(stack, { url: down.url('/down'), eventTypes: ['invoice.paid'], retrySchedule: ['0', '20ms', '20ms'] });
    const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'invoice.paid', data: {} });
    const [d] = await waitForEventDone(stack, posted.body.id as string, 1);
    assert.equal(d!.status, 'failed');
    assert.deepEqual(d!.attempts.map((a) => a.outcome), ['failed', 'failed', 'failed']);
    assert.equal(d!.lastError, 'receiver answered 503');
    assert.equal(down.requests.length, 3);
    const handle = stack.env.client.workflow.getHandle(deliveryWorkflowId(posted.body.id as string, sub.id));
    await assert.rejects(handle.result(), /Workflow execution failed/);
    assert.equal((await handle.describe()).status.name, 'FAILED');
  } finally {
    await down.stop();
  }
});

test('410 Gone ends the retries and disables the subscription', async () => {
  const gone = new TestReceiver(() => ({ status: 410 }));
  await gone.start();
  try {
    const sub = await createSubscription(stack, { url: gone.url('/gone'), eventTypes: ['cart.abandoned'], retrySchedule: ['0', '20ms', '20ms'] });
    const first = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'cart.abandoned', data: {} });
    const [d] = await waitForEventDone(stack, first.body.id as string, 1);
    assert.equal(d!.status, 'failed');
    assert.equal(d!.attempts.length, 1, 'no retry after 410');
    const handle = stack.env.client.workflow.getHandle(deliveryWorkflowId(first.body.id as string, sub.id));
    await assert.rejects(handle.result(), /Workflow execution failed/);
    const after410 = (await stack.api('GET', `/v1/subscriptions/${sub.id}`)).body;
    assert.equal(after410.status, 'disabled');
    assert.match(String(after410.disabledReason), /410/);
    assert.ok(after410.disabledAt);

    // A disabled subscription gets no new deliveries.
    const second = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'cart.abandoned', data: {} });
    await waitUntil(async () => (await stack.api('GET', `/v1/events/${second.body.id as string}`)).body.status === 'dispatched', {
      what: 'second event dispatched',
    });
    assert.deepEqual((await stack.api('GET', `/v1/events/${second.body.id as string}`)).body.deliveries, []);
    assert.equal(gone.requests.length, 1);
  } finally {
    await gone.stop();
  }
});

test('subscribers across several shards and pages are each delivered once', async () => {
  const subs = [];
  for (let i = 0; i < 8; i++) {
    subs.push(await createSubscription(stack, { url: receiver.url(`/page/${i}`), eventTypes: ['bulk.sent'] }));
  }
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'bulk.sent', data: {} });
  const deliveries = await waitForEventDone(stack, posted.body.id as string, 8);
  assert.deepEqual(new Set(deliveries.map((d) => d.subscriptionId)), new Set(subs.map((s) => s.id)));
  assert.ok(deliveries.every((d) => d.status === 'succeeded' && d.attempts.length === 1));
  for (let i = 0; i < 8; i++) assert.equal(receiver.to(`/page/${i}`).length, 1);
  const result = await stack.env.client.workflow.getHandle(eventWorkflowId(posted.body.id as string)).result();
  assert.deepEqual(result, { deliveries: 8, succeeded: 8, failed: 0, cancelled: 0 });
});
