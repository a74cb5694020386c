import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  AuthenticationError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  unwrap,
  WebhooksApiError,
  WebhooksClient,
} from '../../clients/typescript/src';
import { TestReceiver } from '../helpers/receiver';
import { TEST_TOKEN, useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// The producer's client (clients/typescript) against the real stack: real Temporal, the real
// gateway, a real receiver. The client uses the global fetch, as a producer's would.

const receiver = new TestReceiver(() => ({ status: 200 }));
const stack = useStack({}, receiver);
const client = () => new WebhooksClient({ baseUrl: `${stack.gatewayUrl}/`, apiKey: TEST_TOKEN });

/** The promise's rejection, which must be a WebhooksApiError of the given class. */
async function rejection<E extends WebhooksApiError>(pending: Promise<unknown>, kind: abstract new (...args: never[]) => E): Promise<E> {
  const err = await pending.then(
    () => assert.fail(`expected a ${kind.name}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof kind, `expected a ${kind.name}, got ${String(err)}`);
  assert.ok(err instanceof WebhooksApiError);
  return err;
}

test('a producer subscribes a receiver, sends an event and sees it delivered, signed', async () => {
  const api = client();
  const sub = await api.subscriptions.create({ tenantId: 'default', url: receiver.url('/orders'), eventTypes: ['order.*'], retrySchedule: ['0'] });
  assert.match(sub.secret, /^whsec_/);
  assert.equal((await api.subscriptions.get(sub.id)).url, receiver.url('/orders'));

  const sent = await api.events.send({ id: 'client-ord-1', tenantId: 'default', type: 'order.created', data: { orderId: 1 } });
  assert.deepEqual([sent.created, sent.event.id, sent.event.status], [true, 'client-ord-1', 'accepted']);
  const again = await api.events.send({ tenantId: 'default', type: 'order.created', data: { orderId: 1 } }, { idempotencyKey: 'client-ord-1' });
  assert.equal(again.created, false, 'the same id again starts nothing');

  await receiver.waitFor(() => receiver.to('/orders').length === 1);
  const [request] = receiver.to('/orders');
  const verified = new Webhook(sub.secret).verify(request!.body, request!.headers as Record<string, string>);
  assert.deepEqual(verified, { type: 'order.created', timestamp: (verified as { timestamp: string }).timestamp, data: { orderId: 1 } });

  const page = await waitUntil(async () => {
    const listed = await api.deliveries.list({ eventId: 'client-ord-1' });
    return listed.data[0]?.status === 'succeeded' && listed;
  });
  const delivery = await api.deliveries.get(page.data[0]!.id);
  assert.deepEqual(delivery.attempts.map((a) => [a.number, a.outcome, a.statusCode]), [[1, 'succeeded', 200]]);
  assert.equal((await api.events.get('client-ord-1')).deliveries.length, 1);
  const conflict = await rejection(api.deliveries.cancel(delivery.id), ConflictError);
  assert.equal(conflict.status, 409);
});

test('a refused request throws InvalidRequestError naming the field', async () => {
  const err = await rejection(client().subscriptions.create({ tenantId: 'default', url: 'not a url', eventTypes: ['order.*'] }), InvalidRequestError);
  assert.equal(err.status, 400);
  assert.equal(err.title, 'Invalid request');
  assert.deepEqual(err.fieldError('url'), { in: 'body', field: 'url', message: 'must be an http(s) URL' });
  assert.match(err.message, /^400 Invalid request: .*\(url: must be an http\(s\) URL\)$/);

  const [ok, bad] = await client().events.sendBatch([
    { tenantId: 'default', type: 'order.created', data: {} },
    { tenantId: 'default', type: 'not a type', data: {} },
  ]);
  assert.equal(ok?.status, 202);
  assert.deepEqual(bad?.status === 400 && bad.errors.map((e) => e.field), ['events.1.type'], 'a batch answers each item; a bad one is not thrown');
});

test('an unknown id throws NotFoundError, through the methods and through client.http', async () => {
  const api = client();
  const err = await rejection(api.subscriptions.get('sub_nope'), NotFoundError);
  assert.deepEqual([err.status, err.type, err.title, err.detail, err.errors], [404, 'about:blank', 'Not found', 'No subscription with id sub_nope.', []]);
  await rejection(api.deliveries.retry('dlv_nope'), NotFoundError);
  await rejection(unwrap(api.http.GET('/v1/replays/{id}', { params: { path: { id: 'rpl_nope' } } })), NotFoundError);
});

test('a wrong key throws AuthenticationError; a tenant key is confined to its tenant', async () => {
  const wrong = new WebhooksClient({ baseUrl: stack.gatewayUrl, apiKey: 'whk_not-a-key' });
  const unauthorized = await rejection(wrong.subscriptions.list(), AuthenticationError);
  assert.equal(unauthorized.status, 401);

  await client().tenants.put('client-acme', { name: 'Acme', limits: { testEventsPerMinute: 0 } });
  const { key } = await client().tenants.createKey('client-acme', { name: 'producer test' });
  const acme = new WebhooksClient({ baseUrl: stack.gatewayUrl, apiKey: key });
  const own = await acme.subscriptions.create({ url: receiver.url('/acme'), eventTypes: ['*'] });
  assert.equal(own.tenantId, 'client-acme', 'the key implies its tenant');
  assert.deepEqual((await acme.subscriptions.list()).data.map((s) => s.id), [own.id]);
  assert.equal((await rejection(acme.tenants.get('client-acme'), PermissionDeniedError)).status, 403);

  const limited = await rejection(acme.subscriptions.sendTest(own.id), RateLimitError);
  assert.deepEqual([limited.status, limited.limit], [429, 'testEventsPerMinute']);
  assert.ok(limited.retryAfterSeconds !== undefined && limited.retryAfterSeconds > 0, 'Retry-After is read');

  await acme.subscriptions.update(own.id, { status: 'disabled' });
  await acme.subscriptions.delete(own.id);
  await rejection(acme.subscriptions.get(own.id), NotFoundError);
});
