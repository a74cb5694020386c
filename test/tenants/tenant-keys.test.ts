import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Delivery, Subscription } from '../../src/model';
import { waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { type ApiResponse, useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const receiver = new TestReceiver((req) => (req.path.startsWith('/fail') ? { status: 500 } : { status: 200 }));
const stack = useStack({ setup: seed }, receiver);

/** Per tenant: a key, a subscription and a failed delivery, made by the operator. */
const world: Record<'acme' | 'globex', { key: string; sub: Subscription; delivery: Delivery }> = {} as never;

async function seed(s: typeof stack): Promise<void> {
  for (const tenant of ['acme', 'globex'] as const) {
    await s.api('PUT', `/v1/tenants/${tenant}`, { name: tenant });
    const key = (await s.api('POST', `/v1/tenants/${tenant}/keys`, { name: 'ci' })).body.key as string;
    const sub = await s.client.subscriptions.create({ tenantId: tenant, url: receiver.url(`/fail/${tenant}`), eventTypes: ['k.*'], retrySchedule: ['0'] });
    const event = await s.api('POST', '/v1/events', { tenantId: tenant, type: 'k.failed', data: { tenant } });
    const [delivery] = await waitForEventDone(s, event.body.id as string, 1);
    world[tenant] = { key, sub, delivery: delivery! };
  }
}

const as = (tenant: 'acme' | 'globex', method: string, path: string, body?: unknown): Promise<ApiResponse> =>
  stack.api(method, path, body, { authorization: `Bearer ${world[tenant].key}` });

test('a key is shown once, listed by prefix without its secret, and stored only as a hash', async () => {
  const issued = await stack.api('POST', '/v1/tenants/acme/keys', { name: 'shown once' });
  assert.equal(issued.status, 201);
  const key = issued.body.key as string;
  assert.match(key, /^whk_[A-Za-z0-9_-]{43}$/);
  const listed = (await stack.api('GET', '/v1/tenants/acme/keys')).body.data as Record<string, unknown>[];
  const entry = listed.find((k) => k.id === issued.body.id)!;
  assert.equal(entry.key, undefined);
  assert.ok(key.startsWith(entry.prefix as string));
  const stored = await stack.ledger.db.selectFrom('tenant_keys').selectAll().execute();
  assert.ok(stored.every((row) => !JSON.stringify(row).includes(key.slice(4))), 'no row holds the key');
  assert.equal((await stack.api('POST', '/v1/tenants/nobody/keys', {})).status, 404);
});

test("a tenant key reads and manages only its own subscriptions; another tenant's answer 404, never 403", async () => {
  const own = await as('acme', 'GET', '/v1/subscriptions');
  assert.deepEqual((own.body.data as Subscription[]).map((s) => s.tenantId), ['acme']);
  const other = world.globex.sub.id;
  for (const [method, path, body] of [
    ['GET', `/v1/subscriptions/${other}`],
    ['PATCH', `/v1/subscriptions/${other}`, { description: 'mine now' }],
    ['DELETE', `/v1/subscriptions/${other}`],
    ['GET', `/v1/subscriptions/${other}/secret`],
    ['POST', `/v1/subscriptions/${other}/secret/rotate`, {}],
    ['POST', `/v1/subscriptions/${other}/test`, {}],
    ['GET', `/v1/subscriptions/${other}/stats`],
  ] as [string, string, unknown?][]) {
    const res = await as('acme', method, path, body);
    assert.equal(res.status, 404, `${method} ${path}: ${res.status}`);
    assert.equal(res.body.detail, `No subscription with id ${other}.`, 'the same answer as for an id that never existed');
  }
  assert.equal((await stack.api('GET', `/v1/subscriptions/${other}`)).body.description, null, 'untouched');
  const created = await as('acme', 'POST', '/v1/subscriptions', { url: receiver.url('/acme/new'), eventTypes: ['k.*'] });
  assert.equal(created.status, 201);
  assert.equal(created.body.tenantId, 'acme', 'a key creates in its own tenant');
  assert.equal((await as('acme', 'POST', '/v1/subscriptions', { tenantId: 'globex', url: receiver.url('/x'), eventTypes: ['k.*'] })).status, 404);
  const secret = await as('acme', 'GET', `/v1/subscriptions/${world.acme.sub.id}/secret`);
  assert.match(secret.body.secret as string, /^whsec_/);
});

test('a tenant key sees, retries and cancels only its own deliveries', async () => {
  const listed = await as('acme', 'GET', '/v1/deliveries?limit=100');
  assert.ok((listed.body.data as Delivery[]).every((d) => d.tenantId === 'acme'));
  const filtered = await as('acme', 'GET', '/v1/deliveries?tenantId=globex');
  assert.ok((filtered.body.data as Delivery[]).every((d) => d.tenantId === 'acme'), 'a tenantId filter cannot widen the scope');
  const other = world.globex.delivery.id;
  for (const [method, path] of [
    ['GET', `/v1/deliveries/${other}`],
    ['POST', `/v1/deliveries/${other}/retry`],
    ['POST', `/v1/deliveries/${other}/cancel`],
  ]) {
    const res = await as('acme', method!, path!);
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  const retried = await as('acme', 'POST', `/v1/deliveries/${world.acme.delivery.id}/retry`);
  assert.equal(retried.status, 202, JSON.stringify(retried.body));
  await waitUntil(async () => (await stack.ledger.deliveries.get(world.acme.delivery.id))?.attemptCount === 2, { what: 'the retried attempt' });
  // A bulk retry by a key is confined to its tenant, whatever its filter says.
  const job = await as('acme', 'POST', '/v1/deliveries/retry', { subscriptionId: world.globex.sub.id });
  assert.equal(job.status, 202);
  assert.equal((job.body.filter as { tenantId: string }).tenantId, 'acme');
  const done = await waitUntil(async () => {
    const read = await as('acme', 'GET', `/v1/retries/${job.body.id as string}`);
    return read.body.status === 'completed' && read.body;
  });
  assert.equal(done.matched, 0, "globex's failed delivery is not acme's to retry");
  assert.equal((await as('globex', 'GET', `/v1/retries/${job.body.id as string}`)).status, 404);
  assert.equal((await stack.ledger.deliveries.get(other))!.attemptCount, 1);
});

test('a tenant key sends a test event to its own endpoint only, whatever types it subscribes to', async () => {
  const res = await as('globex', 'POST', `/v1/subscriptions/${world.globex.sub.id}/test`, { eventType: 'not.subscribed' });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const [delivery] = await waitForEventDone(stack, res.body.id as string, 1);
  assert.equal(delivery!.subscriptionId, world.globex.sub.id);
  assert.equal(receiver.requests.filter((r) => r.headers['webhook-id'] === res.body.id).length, 1);
});

test("a tenant key reads its own events (with only its deliveries) and its catalog of types, not another tenant's", async () => {
  const own = await as('acme', 'GET', `/v1/events/${world.acme.delivery.eventId}`);
  assert.equal(own.status, 200);
  assert.deepEqual(own.body.data, { tenant: 'acme' });
  assert.equal((await as('acme', 'GET', `/v1/events/${world.globex.delivery.eventId}`)).status, 404);
  await stack.api('POST', '/v1/events', { tenantId: 'globex', type: 'globex.only', data: {} });
  const all = await stack.api('POST', '/v1/events', { broadcast: true, type: 'everyone.hears', data: {} });
  // The platform's types; the service's own (webhook.*) are listed too, and checked in test/operational.
  const types = async (tenant: 'acme' | 'globex') =>
    ((await as(tenant, 'GET', '/v1/event-types')).body.data as { type: string }[]).map((t) => t.type).filter((t) => !t.startsWith('webhook.')).sort();
  assert.deepEqual(await types('acme'), ['everyone.hears', 'k.failed']);
  assert.deepEqual(await types('globex'), ['everyone.hears', 'globex.only', 'k.failed']);
  const broadcast = await as('acme', 'GET', `/v1/events/${all.body.id as string}`);
  assert.equal(broadcast.status, 200, 'a broadcast reached every tenant');
  assert.ok((broadcast.body.deliveries as Delivery[]).every((d) => d.tenantId === 'acme'));
});

test('a tenant key cannot publish platform events or touch tenants and keys (403)', async () => {
  for (const [method, path, body] of [
    ['POST', '/v1/events', { tenantId: 'acme', type: 'k.forged', data: {} }],
    ['GET', '/v1/tenants'],
    ['PUT', '/v1/tenants/acme', { name: 'renamed' }],
    ['DELETE', '/v1/tenants/globex'],
    ['POST', '/v1/tenants/acme/keys', {}],
    ['GET', '/v1/tenants/acme/keys'],
    ['POST', '/v1/tenants/acme/portal-sessions', {}],
    ['POST', `/v1/subscriptions/${world.acme.sub.id}/replay`, { since: '2026-01-01T00:00:00Z' }],
  ] as [string, string, unknown?][]) {
    const res = await as('acme', method, path, body);
    assert.equal(res.status, 403, `${method} ${path}: ${res.status}`);
  }
  assert.equal((await stack.api('GET', '/v1/tenants/acme')).body.name, 'acme', 'unchanged');
});

test('a revoked or expired key, or one of a deleted tenant, is refused with 401', async () => {
  await stack.api('PUT', '/v1/tenants/initech', { name: 'initech' });
  const issue = async (body: unknown) => (await stack.api('POST', '/v1/tenants/initech/keys', body)).body;
  const revoked = await issue({});
  assert.equal((await stack.api('GET', '/v1/subscriptions', undefined, { authorization: `Bearer ${revoked.key as string}` })).status, 200);
  const revoke = await stack.api('DELETE', `/v1/tenants/initech/keys/${revoked.id as string}`);
  assert.ok(revoke.body.revokedAt);
  assert.equal((await stack.api('GET', '/v1/subscriptions', undefined, { authorization: `Bearer ${revoked.key as string}` })).status, 401);
  assert.equal((await stack.api('DELETE', `/v1/tenants/acme/keys/${revoked.id as string}`)).status, 404, "not acme's key");

  const expiring = await issue({ expiresAt: new Date(Date.now() + 1500).toISOString() });
  const call = () => stack.api('GET', '/v1/subscriptions', undefined, { authorization: `Bearer ${expiring.key as string}` });
  assert.equal((await call()).status, 200);
  await waitUntil(async () => (await call()).status === 401, { what: 'the key to expire' });
  assert.ok(Date.now() >= Date.parse(expiring.expiresAt as string));
  assert.equal((await stack.api('POST', '/v1/tenants/initech/keys', { expiresAt: '2020-01-01T00:00:00Z' })).status, 400);

  const live = await issue({});
  await stack.api('DELETE', '/v1/tenants/initech');
  assert.equal((await stack.api('GET', '/v1/subscriptions', undefined, { authorization: `Bearer ${live.key as string}` })).status, 401);
  assert.equal((await stack.api('GET', '/v1/subscriptions', undefined, { authorization: 'Bearer whk_not-a-key' })).status, 401);
});
