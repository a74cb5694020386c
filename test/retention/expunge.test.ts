import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { deliveryWorkflowId, eventWorkflowId } from '../../src/contract';
import { EXPUNGED_REASON } from '../../src/operations/deliveries';
import { createSubscription, type DeliveryWithAttempts, getDelivery, getEvent, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const MARKER = 'PII-4e8c-jane.doe@example.com';
const REPLY = 'receiver-reply-7f1a';
const failing = new Set(['/down', '/again']);
const receiver = new TestReceiver((req) => (failing.has(req.path) ? { status: 500, body: REPLY } : { status: 200, body: REPLY }));
const stack = useStack({}, receiver);

/** Every string and byte payload in a workflow's history, decoded: what Temporal keeps of it. */
async function historyText(workflowId: string): Promise<string> {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) parts.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') parts.push(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(history);
  return parts.join('\n');
}

/** Every text cell of the ledger's events and attempts rows of this event. */
async function ledgerText(eventId: string): Promise<string> {
  const { db } = stack.ledger;
  const event = await db.selectFrom('events').select(['data']).where('id', '=', eventId).execute();
  const attempts = await db
    .selectFrom('attempts')
    .select(['response_body', 'error'])
    .where('delivery_id', 'in', db.selectFrom('deliveries').select('id').where('event_id', '=', eventId))
    .execute();
  return JSON.stringify([event, attempts]);
}

test('an expunged payload is gone from the ledger, the API and Temporal; open deliveries end cancelled and nothing is sent again', async () => {
  const ok = await createSubscription(stack, { url: receiver.url('/ok'), eventTypes: ['customer.updated'] });
  const down = await createSubscription(stack, { url: receiver.url('/down'), eventTypes: ['customer.updated'], retrySchedule: ['0', '1h'] });
  const id = `evt_expunge_${Date.now()}`;
  assert.equal((await stack.api('POST', '/v1/events', { tenantId: 'default', id, type: 'customer.updated', data: { email: MARKER } })).status, 202);
  // One delivery succeeded (its reply recorded); the other failed once and waits an hour to retry.
  const downDelivery = await waitUntil(async () => {
    const event = await getEvent(stack, id);
    const d = event.deliveries.find((x) => x.subscriptionId === down.id);
    const settled = event.deliveries.find((x) => x.subscriptionId === ok.id)?.status === 'succeeded';
    return settled && d && d.attemptCount === 1 && d;
  });
  assert.match(await ledgerText(id), new RegExp(MARKER));
  assert.match(await ledgerText(id), new RegExp(REPLY));

  const res = await stack.api('DELETE', `/v1/events/${id}/payload`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data, null);
  assert.equal(res.body.dataRemovedReason, 'expunged');

  const after = await getDelivery(stack, downDelivery.id);
  assert.equal(after.status, 'cancelled');
  assert.equal(after.lastError, EXPUNGED_REASON);
  const shown = (await stack.api('GET', `/v1/events/${id}`)).body;
  assert.equal(shown.data, null);
  assert.ok(shown.dataRemovedAt);
  const okDelivery = (shown.deliveries as DeliveryWithAttempts[]).find((d) => d.subscriptionId === ok.id)!;
  assert.equal(okDelivery.status, 'succeeded', 'what had ended stays as it ended');
  for (const d of [after, await getDelivery(stack, okDelivery.id)]) assert.ok(d.attempts.every((a) => a.responseBody === null), 'response bodies removed');
  assert.doesNotMatch(await ledgerText(id), new RegExp(`${MARKER}|${REPLY}`));

  // The cancelled run closes; Temporal's histories never held the payload (activities read it from the ledger).
  await waitUntil(async () => (await stack.env.client.workflow.getHandle(deliveryWorkflowId(id, down.id)).describe()).status.name !== 'RUNNING');
  for (const workflowId of [eventWorkflowId(id), deliveryWorkflowId(id, ok.id), deliveryWorkflowId(id, down.id)]) {
    assert.doesNotMatch(await historyText(workflowId), new RegExp(MARKER), workflowId);
  }
  assert.equal(receiver.requests.filter((r) => r.path === '/down').length, 1, 'no attempt after the expunge');
});

test('nothing feeds an expunged payload again: retry is 409, replay skips it, a repost of its id is a repeat', async () => {
  // Its one attempt fails: a delivery that a retry or a replay would send again.
  const sub = await createSubscription(stack, { url: receiver.url('/again'), eventTypes: ['customer.deleted'], retrySchedule: ['0'] });
  const since = new Date(Date.now() - 1000).toISOString();
  const id = `evt_gone_${Date.now()}`;
  const body = { tenantId: 'default', id, type: 'customer.deleted', data: { email: MARKER } };
  assert.equal((await stack.api('POST', '/v1/events', body)).status, 202);
  const [delivery] = await waitForEventDone(stack, id, 1);
  assert.equal((await stack.api('DELETE', `/v1/events/${id}/payload`)).status, 200);

  const retry = await stack.api('POST', `/v1/deliveries/${delivery!.id}/retry`);
  assert.equal(retry.status, 409);
  assert.match(String(retry.body.detail), /payload .* was removed/);
  const replay = await stack.api('POST', `/v1/subscriptions/${sub.id}/replay`, { since, until: new Date(Date.now() + 1000).toISOString() });
  assert.equal(replay.status, 202, JSON.stringify(replay.body));
  const done = await waitUntil(async () => {
    const r = (await stack.api('GET', `/v1/replays/${String(replay.body.id)}`)).body;
    return r.status === 'completed' && r;
  });
  assert.equal(done.matched, 0, JSON.stringify(done));
  assert.equal((await stack.api('POST', '/v1/events', body)).status, 200, 'a repeat: nothing new is started');
  assert.equal(receiver.requests.filter((r) => r.path === '/again').length, 1);
});

test('an expunge of an unknown event is a 404; a payload expunged twice stays expunged', async () => {
  assert.equal((await stack.api('DELETE', '/v1/events/evt_nope/payload')).status, 404);
  const id = `evt_twice_${Date.now()}`;
  assert.equal((await stack.api('POST', '/v1/events', { tenantId: 'default', id, type: 'nobody.listens', data: { a: 1 } })).status, 202);
  await waitUntil(async () => (await getEvent(stack, id)).status === 'dispatched');
  const first = await stack.api('DELETE', `/v1/events/${id}/payload`);
  const second = await stack.api('DELETE', `/v1/events/${id}/payload`);
  assert.equal(second.status, 200);
  assert.equal(second.body.dataRemovedAt, first.body.dataRemovedAt);
  const row = await stack.ledger.db.selectFrom('events').select(sql<string>`data`.as('data')).where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.data, '{}');
});
