import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayProgressQuery, replayWorkflowId } from '../../src/contract';
import { unwrap } from '../../clients/typescript/src';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const receiver = new TestReceiver((req) => (req.path.startsWith('/down') ? { status: 500 } : { status: 200 }));
const stack = useStack({}, receiver);

const getReplay = (id: string) => unwrap(stack.client.http.GET('/v1/replays/{id}', { params: { path: { id } } }));

async function waitReplay(id: string, status: string) {
  return waitUntil(
    async () => {
      const r = await getReplay(id);
      return r.status === status && r;
    },
    { what: `replay ${id} ${status}` },
  );
}

test('a replay re-delivers the subscription’s events of the window, and only those', async () => {
  const original = await createSubscription(stack, { url: receiver.url('/orig'), eventTypes: ['r.*'] });
  const before = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'r.one', data: { n: 0 } });
  await waitForEventDone(stack, before.body.id as string, 1);
  const since = new Date().toISOString();
  const inWindow: string[] = [];
  for (const n of [1, 2]) {
    const e = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'r.one', data: { n } });
    inWindow.push(e.body.id as string);
    await waitForEventDone(stack, e.body.id as string, 1);
  }
  const other = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'x.other', data: {} });
  // Another tenant's event of a matching type, in the window: never replayed to this tenant.
  await stack.api('PUT', '/v1/tenants/replay-other', { name: 'other' });
  const foreign = await stack.api('POST', '/v1/events', { tenantId: 'replay-other', type: 'r.one', data: { secret: true } });
  await waitForEventDone(stack, foreign.body.id as string, 0);
  const until = new Date().toISOString();
  const after = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'r.one', data: { n: 3 } });
  await waitForEventDone(stack, after.body.id as string, 1);
  await waitForEventDone(stack, other.body.id as string, 0);

  // A subscription created later catches up on the window; the original one gets its events again.
  const late = await createSubscription(stack, { url: receiver.url('/late'), eventTypes: ['r.one'] });
  for (const sub of [late, original]) {
    const started = await stack.api('POST', `/v1/subscriptions/${sub.id}/replay`, { since, until });
    assert.equal(started.status, 202);
    assert.match(started.headers.get('location') ?? '', /^\/v1\/replays\/rpl_/);
    const done = await waitReplay(started.body.id as string, 'completed');
    assert.deepEqual([done.matched, done.started, done.succeeded, done.failed, done.skipped], [2, 2, 2, 0, 0]);
    const progress = await stack.env.client.workflow.getHandle(replayWorkflowId(done.id)).query(replayProgressQuery);
    assert.equal(progress.state, 'completed', 'the workflow query agrees');
  }
  // Re-deliveries run side by side, so arrival order is not the events' order.
  assert.deepEqual(receiver.to('/late').map((r) => r.headers['webhook-id']).sort(), [...inWindow].sort(), "no other tenant's event");
  const origIds = receiver.to('/orig').map((r) => r.headers['webhook-id']);
  assert.deepEqual(origIds.filter((id) => inWindow.includes(id as string)).length, 4, 'each window event twice: original + replay');

  // The replayed deliveries continue their attempt numbers in the ledger.
  for (const eventId of inWindow) {
    const ds = await stack.ledger.deliveries.listForEvent(eventId);
    const mine = ds.find((d) => d.subscriptionId === original.id)!;
    assert.deepEqual((await stack.ledger.attempts.list(mine.id)).map((a) => [a.number, a.outcome]), [[1, 'succeeded'], [2, 'succeeded']]);
  }
});

test('a replay is bounded by its limit, and cancelling it cancels its re-deliveries in flight', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/down/replay'), eventTypes: ['q.*'], retrySchedule: ['0', '1h'] });
  const since = new Date().toISOString();
  for (let i = 0; i < 3; i++) {
    const e = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'q.x', data: { i } });
    await waitUntil(async () => (await stack.ledger.deliveries.listForEvent(e.body.id as string))[0]?.nextAttemptAt);
    await stack.api('POST', `/v1/events/${e.body.id as string}/cancel`);
    await waitForEventDone(stack, e.body.id as string, 1);
  }
  const started = await stack.api('POST', `/v1/subscriptions/${sub.id}/replay`, { since, limit: 2 });
  const id = started.body.id as string;
  await waitUntil(async () => {
    const r = await getReplay(id);
    return r.started === 2;
  });
  assert.equal((await stack.api('GET', `/v1/replays/${id}`)).body.matched, 2, 'bounded by limit');
  await waitUntil(async () => receiver.to('/down/replay').length === 5, { what: 'both re-deliveries to fail once' });

  assert.equal((await stack.api('POST', `/v1/replays/${id}/cancel`)).status, 202);
  const done = await waitReplay(id, 'cancelled');
  assert.equal(done.cancelled, 2);
  const handle = stack.env.client.workflow.getHandle(replayWorkflowId(id));
  assert.equal((await handle.describe()).status.name, 'CANCELLED');
  const statuses = (await stack.api('GET', `/v1/deliveries?subscriptionId=${sub.id}`)).body.data as { status: string }[];
  assert.deepEqual(statuses.map((d) => d.status), ['cancelled', 'cancelled', 'cancelled']);
  assert.equal((await stack.api('POST', `/v1/replays/${id}/cancel`)).status, 409);
  assert.equal((await stack.api('GET', '/v1/replays/rpl_nope')).status, 404);
  const bad = await stack.api('POST', `/v1/subscriptions/${sub.id}/replay`, { since: 'yesterday' });
  assert.equal(bad.status, 400);
});

/** The types of the webhooks a path received, in arrival order. */
const typesAt = (path: string) => receiver.to(path).map((r) => (JSON.parse(r.body) as { type: string }).type);

test('a replay re-delivers what the fan-out delivered: a test event to its endpoint, never an event about the endpoint itself', async () => {
  await stack.api('PUT', '/v1/tenants/rself', { name: 'replay rules' });
  const watcher = await createSubscription(stack, { tenantId: 'rself', url: receiver.url('/ops-self'), eventTypes: ['webhook.*'] });
  const failing = await createSubscription(stack, { tenantId: 'rself', url: receiver.url('/down-self'), eventTypes: ['rs.*', 'webhook.*'], retrySchedule: ['0'] });
  const since = new Date().toISOString();
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'rself', type: 'rs.one', data: {} });
  await waitForEventDone(stack, posted.body.id as string, 1);
  // The failure is told to the watcher, about the failing endpoint, which never gets it itself.
  await waitUntil(() => typesAt('/ops-self').includes('webhook.delivery.exhausted'), { what: 'the exhaustion told to the watcher' });
  assert.equal((await stack.api('POST', `/v1/subscriptions/${watcher.id}/test`, { eventType: 'other.kind' })).status, 202);
  await waitUntil(() => typesAt('/ops-self').includes('other.kind'), { what: 'the test event at the watcher' });
  const until = new Date().toISOString();

  const replayOf = async (subscriptionId: string) => {
    const started = await stack.api('POST', `/v1/subscriptions/${subscriptionId}/replay`, { since, until });
    return waitReplay(started.body.id as string, 'completed');
  };
  assert.equal((await replayOf(failing.id)).matched, 1, 'only rs.one: the events about it are not its own');
  // It may hear of its replay finishing (webhook.replay.finished), but never of its own failures.
  assert.deepEqual(typesAt('/down-self').filter((t) => t === 'rs.one' || /^webhook\.(endpoint|delivery)\./.test(t)), ['rs.one', 'rs.one']);
  await replayOf(watcher.id);
  assert.deepEqual(typesAt('/ops-self').filter((t) => t === 'other.kind').length, 2, 'the test event again, though its type is not subscribed');
});
