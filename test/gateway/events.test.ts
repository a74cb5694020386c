import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventWorkflowId } from '../../src/contract';
import type { Subscription } from '../../src/model';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const receiver = new TestReceiver();
const stack = useStack({ setup: (s) => createSubscription(s, { url: receiver.url('/hook'), eventTypes: ['payment.*'] }) }, receiver);

async function workflowsOfEvent(eventId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const wf of stack.env.client.workflow.list({ query: `WorkflowId="${eventWorkflowId(eventId)}"` })) {
    runs.push(wf.runId);
  }
  return runs;
}

test('posting the same event again returns it with 200 and starts nothing; other content under its id is a 409', async () => {
  const body = { tenantId: 'default', id: 'pay_1001', type: 'payment.captured', data: { amount: 1200 } };
  const first = await stack.api('POST', '/v1/events', body);
  assert.equal(first.status, 202);
  assert.equal(first.body.id, 'pay_1001');
  assert.equal(first.headers.get('location'), '/v1/events/pay_1001');

  // The same content with its keys in another order is the same event.
  const again = await stack.api('POST', '/v1/events', { tenantId: 'default', data: { amount: 1200 }, type: 'payment.captured', id: 'pay_1001' });
  assert.equal(again.status, 200);
  assert.deepEqual([again.body.id, again.body.type, again.body.createdAt], [first.body.id, first.body.type, first.body.createdAt]);
  for (const other of [{ ...body, data: { amount: 9999 } }, { ...body, type: 'payment.refunded' }, { ...body, tenantId: undefined, broadcast: true }]) {
    const clash = await stack.api('POST', '/v1/events', other);
    assert.equal(clash.status, 409, JSON.stringify(other));
    assert.match(String(clash.body.detail), /pay_1001 is already taken by a different event/);
  }

  await waitForEventDone(stack, 'pay_1001', 1);
  // Also after the event finished.
  const late = await stack.api('POST', '/v1/events', body);
  assert.equal(late.status, 200);
  assert.equal(late.body.status, 'dispatched');

  const hooks = receiver.requests.filter((r) => r.headers['webhook-id'] === 'pay_1001');
  assert.equal(hooks.length, 1, 'delivered once');
  assert.deepEqual(JSON.parse(hooks[0]!.body).data, { amount: 1200 }, 'the first payload is the one delivered');
  const runs = await waitUntil(async () => {
    const r = await workflowsOfEvent('pay_1001');
    return r.length > 0 && r;
  });
  assert.equal(runs.length, 1, 'one workflow run for the event');
});

test('a repeat is compared by value: -0 is the 0 that was stored, key order does not matter, alone or in a batch', async () => {
  const post = (path: string, json: string) => stack.api('POST', path, json);
  const first = await post('/v1/events', '{"tenantId":"default","id":"pay_zero","type":"payment.captured","data":{"fee":0,"line":{"a":1,"b":[0,2]}}}');
  assert.equal(first.status, 202, JSON.stringify(first.body));
  // JSON.stringify writes -0 as 0, so the stored event holds 0: the same event, not a conflict.
  const again = await post('/v1/events', '{"tenantId":"default","id":"pay_zero","type":"payment.captured","data":{"line":{"b":[-0,2.0],"a":1},"fee":-0}}');
  assert.equal(again.status, 200, JSON.stringify(again.body));
  const batch = await post('/v1/events/batch', '{"events":[{"tenantId":"default","id":"pay_zero","type":"payment.captured","data":{"fee":-0.0,"line":{"a":1,"b":[-0,2]}}}]}');
  assert.deepEqual((batch.body.results as { status: number }[]).map((r) => r.status), [200], JSON.stringify(batch.body));
  const other = await post('/v1/events', '{"tenantId":"default","id":"pay_zero","type":"payment.captured","data":{"fee":0,"line":{"a":1,"b":[0,2],"c":null}}}');
  assert.equal(other.status, 409, 'an extra key is other content');
});

test('a test event is marked for its receiver (webhook-test header, signed "test": true); other events are not', async () => {
  const subscriptions = (await stack.api('GET', '/v1/subscriptions?tenantId=default')).body.data as Subscription[];
  const hook = subscriptions.find((s) => s.url === receiver.url('/hook'))!;
  const sent = await stack.api('POST', `/v1/subscriptions/${hook.id}/test`, { eventType: 'payment.captured', data: { amount: 1 } });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  const real = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'payment.captured', data: { amount: 1 } });
  assert.equal(real.status, 202);
  const to = (id: unknown) => receiver.requests.find((r) => r.headers['webhook-id'] === id);
  await receiver.waitFor(() => Boolean(to(sent.body.id) && to(real.body.id)), 20_000, 'the test event and the real one');
  const [test, other] = [to(sent.body.id)!, to(real.body.id)!];
  assert.equal(test.headers['webhook-test'], 'true');
  assert.equal(JSON.parse(test.body).test, true);
  assert.equal(other.headers['webhook-test'], undefined);
  assert.equal('test' in JSON.parse(other.body), false);
});

test('the Idempotency-Key header names the event when the body has no id', async () => {
  const headers = { 'idempotency-key': 'idem-77' };
  const first = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'payment.refunded', data: {} }, headers);
  assert.equal(first.status, 202);
  assert.equal(first.body.id, 'idem-77');
  const again = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'payment.refunded', data: {} }, headers);
  assert.equal(again.status, 200);
  const reused = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'payment.refunded', data: { n: 2 } }, headers);
  assert.equal(reused.status, 409, 'an Idempotency-Key reused for other content');
  await waitForEventDone(stack, 'idem-77', 1);
  assert.equal(receiver.requests.filter((r) => r.headers['webhook-id'] === 'idem-77').length, 1);

  const clash = await stack.api('POST', '/v1/events', { tenantId: 'default', id: 'other', type: 'payment.refunded', data: {} }, headers);
  assert.equal(clash.status, 400);
  assert.deepEqual((clash.body.errors as { field: string }[]).map((e) => e.field), ['Idempotency-Key']);
});

test('concurrent posts of one new event id create one event and one delivery', async () => {
  const body = { tenantId: 'default', id: 'pay_race', type: 'payment.captured', data: {} };
  const results = await Promise.all(Array.from({ length: 8 }, () => stack.api('POST', '/v1/events', body)));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 202]);
  await waitForEventDone(stack, 'pay_race', 1);
  assert.equal(receiver.requests.filter((r) => r.headers['webhook-id'] === 'pay_race').length, 1);
});

test('of 50 concurrent posts of one id with different content, one is accepted and 49 are told of the conflict', async () => {
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, n) => stack.api('POST', '/v1/events', { tenantId: 'default', id: 'pay_contended', type: 'payment.captured', data: { n } })),
  );
  assert.deepEqual(
    [results.filter((r) => r.status === 202).length, results.filter((r) => r.status === 409).length],
    [1, 49],
    results.map((r) => r.status).join(),
  );
  const winner = results.findIndex((r) => r.status === 202);
  await waitForEventDone(stack, 'pay_contended', 1);
  const delivered = receiver.requests.filter((r) => r.headers['webhook-id'] === 'pay_contended');
  assert.deepEqual(delivered.map((r) => JSON.parse(r.body).data), [{ n: winner }], 'the accepted payload, once');
});

test('an unknown event is a 404 problem', async () => {
  const res = await stack.api('GET', '/v1/events/nope');
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
});
