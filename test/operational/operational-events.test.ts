import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as SvixWebhook } from 'svix';
import { compileDataSchema } from '../../src/catalog/json-schema';
import { eventWorkflowId } from '../../src/contract';
import { OPERATIONAL_EVENT_TYPES } from '../../src/filters/event-types';
import { createSubscription, getEvent, waitForEventDone } from '../helpers/api';
import { type ReceivedRequest, TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { workflowExists } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait';

/** /flaky fails its first attempt, /gone answers 410, /down always 500, /slow 500 (retried in an hour). */
const receiver = new TestReceiver((req, nth) => {
  if (req.path === '/flaky') return { status: nth === 1 ? 500 : 200 };
  if (req.path === '/gone') return { status: 410 };
  if (['/down', '/down2', '/slow', '/ops-down'].includes(req.path)) return { status: 500 };
  return { status: 200 };
});
const stack = useStack({ operationsTenantId: 'ops' }, receiver);

type Told = { type: string; data: Record<string, unknown> & { subscriptionId?: string; tenantId?: string } };
const told = (path: string): (Told & { request: ReceivedRequest })[] =>
  receiver.to(path).map((request) => ({ ...(JSON.parse(request.body) as Told), request }));
const toldOf = (path: string, type: string, about?: string) => told(path).filter((t) => t.type === type && (about === undefined || t.data.subscriptionId === about || t.data.deliveryId === about));
const waitTold = (path: string, type: string, about?: string) =>
  waitUntil(() => toldOf(path, type, about)[0], { what: `${type} at ${path}` });

const post = async (tenantId: string, type: string) => {
  const res = await stack.api('POST', '/v1/events', { tenantId, type, data: { n: 1 } });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return String(res.body.id);
};

let listener: { id: string; secret: string };

test('setup: a tenant endpoint listening to webhook.*, one catching *, and the operations tenant', async () => {
  for (const id of ['acme', 'ops']) assert.equal((await stack.api('PUT', `/v1/tenants/${id}`, { name: id })).status, 201);
  listener = await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/ops'), eventTypes: ['webhook.*'] });
  await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/all'), eventTypes: ['*'] });
  await createSubscription(stack, { tenantId: 'ops', url: receiver.url('/operator'), eventTypes: ['webhook.*'] });
});

test('producers cannot publish the reserved prefix: 400 naming type, alone or in a batch', async () => {
  const single = await stack.api('POST', '/v1/events', { tenantId: 'acme', type: 'webhook.endpoint.disabled', data: {} });
  assert.equal(single.status, 400);
  assert.equal((single.body.errors as { field: string }[])[0]!.field, 'type');
  const batch = await stack.api('POST', '/v1/events/batch', { events: [{ tenantId: 'acme', type: 'webhook.delivery.exhausted', data: {} }, { tenantId: 'acme', type: 'order.ok', data: {} }] });
  const [bad, good] = batch.body.results as { status: number; errors?: { field: string }[] }[];
  assert.deepEqual([bad!.status, bad!.errors![0]!.field, good!.status], [400, 'events.0.type', 202]);
});

test('an endpoint entering failing and recovering is told once each, signed, to the tenant and the operator, never to itself', async () => {
  const flaky = await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/flaky'), eventTypes: ['order.*'], retrySchedule: ['0', '100ms'] });
  await waitForEventDone(stack, await post('acme', 'order.created'), 2);
  const failing = await waitTold('/ops', 'webhook.endpoint.failing', flaky.id);
  await waitTold('/ops', 'webhook.endpoint.recovered', flaky.id);
  new SvixWebhook(listener.secret).verify(failing.request.body, failing.request.headers as Record<string, string>);
  assert.equal(failing.data.tenantId, 'acme');
  assert.equal(failing.data.url, receiver.url('/flaky'));
  const copy = await waitTold('/operator', 'webhook.endpoint.failing', flaky.id);
  assert.equal(copy.data.tenantId, 'acme', "the operator's copy names the tenant");
  // Listed and run like any event of the tenant.
  const id = String(failing.request.headers['webhook-id']);
  assert.equal((await getEvent(stack, id)).type, 'webhook.endpoint.failing');
  assert.ok(await workflowExists(stack.env.client, eventWorkflowId(id)));
  assert.equal(told('/flaky').filter((t) => t.type.startsWith('webhook.')).length, 0, 'never sent to the endpoint it is about');
  assert.equal(told('/all').filter((t) => t.type.startsWith('webhook.')).length, 0, '* does not include the service’s own events');
  assert.equal(toldOf('/ops', 'webhook.endpoint.failing', flaky.id).length, 1);
});

test('a 410 disables the endpoint and says so; an exhausted delivery is told with its id', async () => {
  const gone = await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/gone'), eventTypes: ['ship.*'] });
  const down = await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/down'), eventTypes: ['ship.*'], retrySchedule: ['0'] });
  const deliveries = await waitForEventDone(stack, await post('acme', 'ship.sent'), 3);
  const disabled = await waitTold('/ops', 'webhook.endpoint.disabled', gone.id);
  assert.match(String(disabled.data.disabledReason), /410/);
  const exhausted = deliveries.find((d) => d.subscriptionId === down.id)!;
  const told = await waitTold('/ops', 'webhook.delivery.exhausted', exhausted.id);
  assert.deepEqual([told.data.eventType, told.data.attempts], ['ship.sent', 1]);
});

test('a cancelled delivery, a rotated secret, a finished bulk retry and a finished replay are told', async () => {
  const slow = await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/slow'), eventTypes: ['bill.*'], retrySchedule: ['0', '1h'] });
  const since = new Date(Date.now() - 1000).toISOString();
  const eventId = await post('acme', 'bill.due');
  const delivery = await waitUntil(async () => (await getEvent(stack, eventId)).deliveries.find((d) => d.subscriptionId === slow.id && d.attemptCount === 1));
  assert.equal((await stack.api('POST', `/v1/deliveries/${delivery.id}/cancel`)).status, 202);
  await waitTold('/ops', 'webhook.delivery.cancelled', delivery.id);

  assert.equal((await stack.api('POST', `/v1/subscriptions/${slow.id}/secret/rotate`, {})).status, 200);
  await waitTold('/ops', 'webhook.endpoint.secret_rotated', slow.id);

  const job = await stack.api('POST', '/v1/deliveries/retry', { tenantId: 'acme', subscriptionId: slow.id, status: 'cancelled' });
  assert.equal(job.status, 202, JSON.stringify(job.body));
  const retried = await waitUntil(() => told('/ops').find((t) => t.type === 'webhook.bulk_retry.finished' && String(t.data.jobId).endsWith(String(job.body.id))));
  assert.equal(retried.data.started, 1);

  const replay = await stack.api('POST', `/v1/subscriptions/${slow.id}/replay`, { since });
  assert.equal(replay.status, 202);
  await waitUntil(() => told('/ops').find((t) => t.type === 'webhook.replay.finished' && String(t.data.jobId).endsWith(String(replay.body.id))));
});

test('no loops: an endpoint listening to webhook.* that fails is told about to others only, and its failed deliveries of them tell nothing', async () => {
  const sink = await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/ops-down'), eventTypes: ['webhook.*'], retrySchedule: ['0'] });
  await createSubscription(stack, { tenantId: 'acme', url: receiver.url('/down2'), eventTypes: ['loop.*'], retrySchedule: ['0'] });
  await post('acme', 'loop.start');
  await waitTold('/ops', 'webhook.endpoint.failing', sink.id);
  // Everything it could be told has been sent and has failed: no event is about its own deliveries.
  await waitUntil(async () => {
    const open = await stack.ledger.deliveries.list({ subscriptionId: sink.id, limit: 100 });
    return open.data.length > 0 && open.data.every((d) => d.status === 'failed');
  });
  assert.equal(told('/ops-down').filter((t) => t.data.subscriptionId === sink.id).length, 0);
  const aboutItsDeliveries = told('/ops').filter((t) => t.type === 'webhook.delivery.exhausted' && t.data.subscriptionId === sink.id);
  assert.deepEqual(aboutItsDeliveries, []);
});

test('the catalog declares the service’s own types: listed with their schema, which every event told above matches; not redeclarable', async () => {
  const listed = (await stack.api('GET', '/v1/event-types')).body.data as { type: string; declared: boolean; schema?: object }[];
  const byType = new Map(listed.map((e) => [e.type, e]));
  for (const type of OPERATIONAL_EVENT_TYPES) assert.equal(byType.get(type)?.declared, true, type);
  for (const path of ['/ops', '/operator']) {
    for (const { type, data } of told(path)) {
      const compiled = compileDataSchema(byType.get(type)!.schema!);
      assert.ok('validate' in compiled && compiled.validate(data), `${type}: ${JSON.stringify(data)}`);
    }
  }
  const redeclare = await stack.api('PUT', '/v1/event-types/webhook.endpoint.failing', { description: 'mine now' });
  assert.equal(redeclare.status, 400);
  assert.deepEqual((redeclare.body.errors as { in: string; field: string }[]).map((e) => [e.in, e.field]), [['path', 'type']]);
  assert.equal((await stack.api('GET', '/v1/event-types/webhook.delivery.exhausted')).status, 200);
});
