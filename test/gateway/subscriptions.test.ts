import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createApp } from '../../src/gateway/app';
import { createLogger } from '../../src/core/logger';
import { connectClient } from '../../src/temporal/client';
import { STANDARD_RETRY_SCHEDULE_MS } from '../../src/delivery/retry-schedule';
import { createSubscription } from '../helpers/api';
import { useStack } from '../helpers/stack';

const stack = useStack({ withoutWorker: true });

test('a new subscription gets an id and a whsec_ secret shown only once', async () => {
  const created = await createSubscription(stack, { url: 'https://example.com/hooks', eventTypes: ['order.*'] });
  assert.match(created.id, /^sub_/);
  assert.match(created.secret, /^whsec_/);
  assert.equal(created.status, 'active');
  assert.deepEqual(created.retrySchedule, [...STANDARD_RETRY_SCHEDULE_MS], 'Standard Webhooks schedule by default');
  assert.equal(created.timeoutMs, 15_000);

  const read = await stack.api('GET', `/v1/subscriptions/${created.id}`);
  assert.equal(read.status, 200);
  assert.equal('secret' in read.body, false, 'the secret is never returned again');
  const listed = await stack.api('GET', '/v1/subscriptions');
  assert.equal(JSON.stringify(listed.body).includes(created.secret), false);
});

test('a given secret and schedule are kept; durations become milliseconds', async () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const created = await createSubscription(stack, {
    url: 'https://example.com/custom',
    eventTypes: ['*'],
    secret,
    retrySchedule: [0, '250ms', '2s', '1m'],
    timeoutMs: 2000,
  });
  assert.equal(created.secret, secret);
  assert.deepEqual(created.retrySchedule, [0, 250, 2000, 60_000]);
  assert.equal(created.timeoutMs, 2000);
});

test('PATCH changes fields, disables and re-enables; DELETE removes', async () => {
  const created = await createSubscription(stack, { url: 'https://example.com/p', eventTypes: ['a.b'] });
  const s = await stack.client.subscriptions.update(created.id, {
    url: 'https://example.com/q',
    eventTypes: ['c.*'],
    description: 'billing',
    status: 'disabled',
  });
  assert.deepEqual([s.url, s.eventTypes, s.description, s.status], ['https://example.com/q', ['c.*'], 'billing', 'disabled']);
  assert.ok(s.disabledAt);
  const enabled = await stack.client.subscriptions.update(created.id, { status: 'active' });
  assert.deepEqual([enabled.status, enabled.disabledReason, enabled.disabledAt], ['active', null, null]);

  assert.equal((await stack.api('DELETE', `/v1/subscriptions/${created.id}`)).status, 204);
  assert.equal((await stack.api('GET', `/v1/subscriptions/${created.id}`)).status, 404);
  assert.equal((await stack.api('DELETE', `/v1/subscriptions/${created.id}`)).status, 404);
});

test('lists page through every subscription once, newest first', async () => {
  const made = [];
  for (let i = 0; i < 7; i++) made.push((await createSubscription(stack, { url: `https://example.com/${i}`, eventTypes: ['x.y'] })).id);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await stack.client.subscriptions.list({ limit: 3, ...(cursor && { cursor }) });
    assert.ok(page.data.length <= 3);
    seen.push(...page.data.map((s) => s.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  assert.equal(new Set(seen).size, seen.length, 'no duplicates across pages');
  assert.deepEqual(seen.slice(0, 7), [...made].reverse());
});

test('GET /healthz answers 200 when Temporal and the ledger answer', async () => {
  const res = await fetch(`${stack.gatewayUrl}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok', checks: { ledger: 'ok', temporal: 'ok' } });
});

test('GET /healthz answers 503 problem+json when Temporal does not answer', async () => {
  // A gateway whose Temporal address has nothing behind it, with the gateway's own client.
  const client = await connectClient({ ...stack.config, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  const connection = client.connection;
  const app = createApp({ config: stack.config, ledger: stack.ledger, client, logger: createLogger('test', 'silent') });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    assert.match(((await res.json()) as { detail: string }).detail, /Temporal/);
  } finally {
    server.close();
    await connection.close();
  }
});

test('GET /openapi.json documents exactly the routes the gateway serves, with the validating schemas', async () => {
  const doc = (await (await fetch(`${stack.gatewayUrl}/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> } }>>;
  };
  assert.match(doc.openapi, /^3\./);
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
  // What express really serves: every route on the app's router (besides the document itself).
  const app = createApp({ config: stack.config, ledger: stack.ledger, client: stack.env.client, logger: createLogger('test', 'silent') });
  const served = app.router.stack.flatMap((layer) => {
    const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
    if (!route || route.path === '/openapi.json') return [];
    return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
  });
  assert.deepEqual([...served].sort(), [...documented].sort());
  assert.ok(documented.includes('POST /v1/replays/{id}/cancel'));

  const createSub = doc.paths['/v1/subscriptions']!.post!.requestBody!.content['application/json']!.schema;
  assert.deepEqual(Object.keys(createSub.properties).sort(), ['confirmation', 'description', 'eventTypes', 'filter', 'headers', 'maxConcurrency', 'ordering', 'rateLimitPerSecond', 'retrySchedule', 'secret', 'tenantId', 'timeoutMs', 'url']);
  assert.deepEqual(createSub.required?.sort(), ['eventTypes', 'url']);
});

test('the OpenAPI document names both auth schemes and which routes a tenant key may call', async () => {
  const doc = (await (await fetch(`${stack.gatewayUrl}/openapi.json`)).json()) as {
    components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string }> };
    paths: Record<string, Record<string, { security: Record<string, string[]>[] }>>;
  };
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['operatorToken', 'portalCsrf', 'portalSession', 'tenantKey']);
  const schemes = (path: string, method: string) => doc.paths[path]![method]!.security.flatMap((s) => Object.keys(s)).sort();
  assert.deepEqual(schemes('/v1/subscriptions', 'get'), ['operatorToken', 'portalCsrf', 'portalSession', 'tenantKey']);
  assert.deepEqual(schemes('/v1/deliveries/{id}/retry', 'post'), ['operatorToken', 'portalCsrf', 'portalSession', 'tenantKey']);
  for (const [path, method] of [['/v1/events', 'post'], ['/v1/tenants/{id}', 'put'], ['/v1/tenants/{id}/keys', 'post'], ['/v1/tenants/{id}/portal-sessions', 'post']]) {
    assert.deepEqual(schemes(path!, method!), ['operatorToken'], `${method} ${path}`);
  }
  assert.deepEqual(schemes('/healthz', 'get'), []);
});

test('every /v1 answer, and each portal session answer, is Cache-Control: no-store (secrets, keys, links, problems alike)', async () => {
  const created = await stack.api('POST', '/v1/subscriptions', { tenantId: 'default', url: 'https://example.com/cached', eventTypes: ['x.y'] });
  const id = String(created.body.id);
  assert.equal((await stack.api('PUT', '/v1/tenants/cache-test', { name: 'Cache test' })).status, 201);
  const key = await stack.api('POST', '/v1/tenants/cache-test/keys', { name: 'ci' });
  const link = await stack.api('POST', '/v1/tenants/cache-test/portal-sessions', {});
  const answers = {
    'create subscription': created,
    'read subscription': await stack.api('GET', `/v1/subscriptions/${id}`),
    'reveal secret': await stack.api('GET', `/v1/subscriptions/${id}/secret`),
    'rotate secret': await stack.api('POST', `/v1/subscriptions/${id}/secret/rotate`, {}),
    'test event': await stack.api('POST', `/v1/subscriptions/${id}/test`, {}),
    'tenant key': key,
    'portal link': link,
    'a 404 problem': await stack.api('GET', '/v1/subscriptions/sub_none'),
    'a 401 problem': await stack.api('GET', '/v1/subscriptions', undefined, { authorization: 'Bearer wrong' }),
    'an unknown /v1 route': await stack.api('GET', '/v1/nothing'),
    'a confirmation URL': await stack.api('POST', '/v1/confirmations/not-signed.at-all', undefined, { authorization: '' }),
  };
  const seen = Object.entries(answers).map(([what, res]) => `${what}: ${res.status} ${res.headers.get('cache-control')}`);
  const statuses = [201, 200, 200, 200, 202, 201, 201, 404, 401, 404, 403];
  assert.deepEqual(seen, Object.keys(answers).map((what, i) => `${what}: ${statuses[i]} no-store`));
  assert.ok(String(key.body.key).startsWith('whk_') && String(link.body.url).includes('#token='));

  // The portal's own session answers: the sign-in that spends the link, and the session read back.
  const token = String(link.body.url).split('#token=')[1]!;
  const signIn = await fetch(`${stack.gatewayUrl}/portal/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  assert.deepEqual([signIn.status, signIn.headers.get('cache-control')], [200, 'no-store']);
  const session = await fetch(`${stack.gatewayUrl}/portal/session`, { headers: { cookie: signIn.headers.get('set-cookie')!.split(';')[0]! } });
  assert.deepEqual([session.status, session.headers.get('cache-control')], [200, 'no-store']);
});
