import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'svix';
import { createSubscription, getDelivery, getEvent, waitForEventDone } from '../helpers/api';
import { ForwardProxy } from '../helpers/forward-proxy';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// The whole stack (gateway, Temporal, worker, ledger) with WEBHOOK_PROXY_URL set to a real proxy
// that wants credentials: custom headers on every attempt, signatures that verify, the proxy in
// the path, the proxy down as a retried network error, and neither header values nor the proxy's
// password in any log line.

const CREDENTIALS = { user: 'relay', password: 'egress-pa55-4711' };
const proxy = new ForwardProxy(CREDENTIALS);
// Each path's first request fails, so every delivery has a retry.
const receiver = new TestReceiver((_req, nth) => (nth === 1 ? { status: 503 } : { status: 200 }));
before(() => proxy.start());
const stack = useStack({ captureLogs: true, proxyUrl: () => proxy.url(CREDENTIALS) }, receiver);
after(() => proxy.stop());

const HEADER_SECRET = 'rcv-api-key-8c1f2e';

test('custom headers arrive on every attempt, through the proxy, beside a signature that verifies', async () => {
  const sub = await createSubscription(stack, {
    url: receiver.url('/orders'),
    eventTypes: ['order.*'],
    retrySchedule: ['0', '50ms'],
    headers: { 'X-Api-Key': HEADER_SECRET, 'X-Route': 'eu-1' },
  });
  const tunnelsBefore = proxy.tunnels.length;
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'order.created', data: { orderId: 7 } });
  const [delivery] = await waitForEventDone(stack, posted.body.id as string, 1);
  assert.equal(delivery!.status, 'succeeded');
  assert.deepEqual(delivery!.attempts.map((a) => a.statusCode), [503, 200], 'one retry');

  const got = receiver.to('/orders');
  assert.equal(got.length, 2);
  for (const request of got) {
    assert.equal(request.headers['x-api-key'], HEADER_SECRET);
    assert.equal(request.headers['x-route'], 'eu-1');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['proxy-authorization'], undefined);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    assert.doesNotThrow(() => new Webhook(sub.secret).verify(request.body, headers), 'svix verifies the signature');
  }
  const port = new URL(receiver.url()).port;
  assert.ok(proxy.tunnels.slice(tunnelsBefore).every((t) => t === `127.0.0.1:${port}`));
  assert.ok(proxy.tunnels.length > tunnelsBefore, 'the attempts went through the proxy');
  assert.ok(proxy.authorizations.every((a) => a === `Basic ${Buffer.from('relay:egress-pa55-4711').toString('base64')}`));
});

test('headers edited between attempts: the next attempt sends the new ones (read from the ledger each time)', async () => {
  const slow = new TestReceiver((_req, nth) => (nth === 1 ? { status: 500 } : { status: 200 }));
  await slow.start();
  try {
    const sub = await createSubscription(stack, { url: slow.url('/edit'), eventTypes: ['edit.*'], retrySchedule: ['0', '2s'], headers: { 'X-Version': 'one' } });
    const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'edit.made', data: {} });
    await slow.waitFor(() => slow.requests.length === 1);
    assert.equal((await stack.api('PATCH', `/v1/subscriptions/${sub.id}`, { headers: { 'X-Version': 'two' } })).status, 200);
    const [delivery] = await waitForEventDone(stack, posted.body.id as string, 1);
    assert.equal(delivery!.status, 'succeeded');
    assert.deepEqual(slow.requests.map((r) => r.headers['x-version']), ['one', 'two']);
  } finally {
    await slow.stop();
  }
});

test('the proxy down: the attempt fails as a network error and is retried, and arrives once it is back', async () => {
  await createSubscription(stack, { url: receiver.url('/later'), eventTypes: ['later.*'], retrySchedule: ['0', '3s', '3s'], headers: { 'X-Api-Key': HEADER_SECRET } });
  await proxy.stop();
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'later.sent', data: {} });
  const eventId = posted.body.id as string;
  const first = await waitUntil(
    async () => {
      const [d] = (await getEvent(stack, eventId)).deliveries;
      const full = d && (await getDelivery(stack, d.id));
      return full && full.attempts.length >= 1 && full.attempts[0]!.outcome !== 'sending' && full;
    },
    { timeoutMs: 20_000, what: 'the first attempt to fail' },
  );
  assert.deepEqual([first.attempts[0]!.outcome, first.attempts[0]!.statusCode, first.attempts[0]!.error], ['failed', null, 'connection refused']);
  assert.equal(receiver.to('/later').length, 0);
  await proxy.start();
  const [delivery] = await waitForEventDone(stack, eventId, 1);
  assert.equal(delivery!.status, 'succeeded');
  // Refused at the proxy, then the receiver's own first-request 503, then through.
  assert.deepEqual(delivery!.attempts.map((a) => a.statusCode), [null, 503, 200]);
  assert.ok(receiver.to('/later').every((r) => r.headers['x-api-key'] === HEADER_SECRET));
});

test("no log line holds a custom header's value or the proxy's credentials", () => {
  const all = stack.logs.join('\n');
  assert.ok(stack.logs.length > 10, 'logs were captured');
  assert.equal(all.includes(HEADER_SECRET), false, 'header value not logged');
  assert.equal(all.includes('egress-pa55-4711'), false, 'proxy password not logged');
  assert.equal(all.includes(Buffer.from('relay:egress-pa55-4711').toString('base64')), false);
});
