import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { createApp } from '../../src/gateway/app';
import { buildOpenApiDocument } from '../../src/gateway/openapi';
import { createLogger } from '../../src/core/logger';
import { type ApiResponse, type Stack, TEST_TOKEN, useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// The event-type catalog end to end: the operator declares types, intake checks events against
// their schemas (single posts and batch items, one item's 400 naming its path), tenants read the
// catalog confined to what they may see, deprecation, a declaration reaching a second gateway
// within the 1 s bound, removing a declaration, and /asyncapi.json. No worker: nothing here needs
// a delivery, only the ledger and the gateway.

const ORDER_SCHEMA = {
  type: 'object',
  required: ['orderId', 'amount'],
  properties: {
    orderId: { type: 'integer' },
    amount: { type: 'number', minimum: 0 },
    lines: { type: 'array', items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } } },
  },
};
const ORDER = { description: 'An order was placed.', schema: ORDER_SCHEMA, example: { orderId: 1001, amount: 42 } };

const keys: Record<string, string> = {};
const stack = useStack({ withoutWorker: true, setup: seed });

async function seed(s: Stack): Promise<void> {
  for (const tenant of ['acme', 'globex']) {
    assert.equal((await s.api('PUT', `/v1/tenants/${tenant}`, { name: tenant })).status, 201);
    keys[tenant] = (await s.api('POST', `/v1/tenants/${tenant}/keys`, {})).body.key as string;
  }
}

const as = (tenant: string, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
  stack.api(method, path, body, { authorization: `Bearer ${keys[tenant]}` });

const post = (data: Record<string, unknown>, type = 'order.created', id?: string) => stack.api('POST', '/v1/events', { tenantId: 'acme', type, data, ...(id && { id }) });

async function eventCount(): Promise<number> {
  return Number((await stack.ledger.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

type Entry = Record<string, unknown> & { type: string };
const listed = async (tenant?: string) => ((tenant ? await as(tenant, 'GET', '/v1/event-types') : await stack.api('GET', '/v1/event-types')).body.data as Entry[]);

test('the operator declares a type; a bad schema or an example that does not match is a 400 naming the field', async () => {
  const created = await stack.api('PUT', '/v1/event-types/order.created', ORDER);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.headers.get('location'), '/v1/event-types/order.created');
  assert.deepEqual({ ...created.body, createdAt: undefined, updatedAt: undefined }, {
    type: 'order.created',
    description: ORDER.description,
    schema: ORDER_SCHEMA,
    example: ORDER.example,
    deprecated: false,
    deprecatedAt: null,
    deprecatedMessage: null,
    replacedBy: null,
    createdAt: undefined,
    updatedAt: undefined,
    lastSeenAt: null,
  });
  assert.equal((await stack.api('PUT', '/v1/event-types/order.created', ORDER)).status, 200, 'a second PUT replaces it');
  assert.equal((await stack.api('GET', '/v1/event-types/order.created')).body.description, ORDER.description);

  const refusals: [string, unknown, string, RegExp][] = [
    ['order.bad', { description: 'x', schema: { type: 'strin' } }, 'schema', /is not a valid JSON Schema \(2020-12\): schema\/type must be equal to one of the allowed values/],
    ['order.bad', { description: 'x', schema: { requried: ['a'] } }, 'schema', /unknown keyword: "requried"/],
    ['order.bad', { description: 'x', schema: ORDER_SCHEMA, example: { orderId: 1, amount: -1 } }, 'example.amount', /does not match the schema: must be >= 0/],
    ['order.bad', { description: 'x', deprecatedMessage: 'gone' }, 'deprecatedMessage', /needs deprecated: true/],
    ['order.bad', { description: 'x', deprecated: true, replacedBy: 'order.bad' }, 'replacedBy', /another type/],
    ['order.bad', { schema: ORDER_SCHEMA }, 'description', /is required/],
  ];
  for (const [type, body, field, message] of refusals) {
    const res = await stack.api('PUT', `/v1/event-types/${type}`, body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const errors = res.body.errors as { field: string; message: string }[];
    assert.ok(errors.some((e) => e.field === field && message.test(e.message)), `${field}: ${JSON.stringify(errors)}`);
  }
  const badType = await stack.api('PUT', '/v1/event-types/order..created', ORDER);
  assert.equal(badType.status, 400);
  assert.deepEqual((badType.body.errors as { in: string; field: string }[]).map((e) => [e.in, e.field]), [['path', 'type']]);
  assert.equal((await stack.api('GET', '/v1/event-types/order.bad')).status, 404, 'nothing was declared by a refused PUT');
});

test('an event whose data does not match its type’s schema is a 400 naming the path; nothing is recorded', async () => {
  assert.equal((await post({ orderId: 1, amount: 10 })).status, 202);
  const before = await eventCount();
  for (const [data, field, message] of [
    [{ orderId: 1, amount: 'ten' }, 'data.amount', 'must be number'],
    [{ orderId: 1 }, 'data.amount', 'is required'],
    [{ orderId: 1, amount: 1, lines: [{ sku: 'a' }, {}] }, 'data.lines.1.sku', 'is required'],
  ] as const) {
    const res = await post(data);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.deepEqual(res.body.errors, [{ in: 'body', field, message }]);
  }
  const subscription = await stack.api('POST', '/v1/subscriptions', { tenantId: 'acme', url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] });
  const testEvent = await stack.api('POST', `/v1/subscriptions/${subscription.body.id}/test`, { eventType: 'order.created', data: { orderId: 'x', amount: 1 } });
  assert.equal(testEvent.status, 400, 'a test event of a declared type is checked too');
  assert.deepEqual(testEvent.body.errors, [{ in: 'body', field: 'data.orderId', message: 'must be integer' }]);
  assert.equal(await eventCount(), before, 'no refused event reached the ledger');
  assert.equal((await post({ anything: true }, 'order.undeclared')).status, 202, 'a type without a schema takes any data');
});

test('in a batch, an item that does not match is that item’s 400 naming events.<i>.data…; the others are recorded', async () => {
  const events = [0, 1, 2, 3].map((n) => ({ id: `batch-catalog-${n}`, tenantId: 'acme', type: 'order.created', data: { orderId: n, amount: n === 3 ? -5 : n } }));
  const res = await stack.api('POST', '/v1/events/batch', { events });
  assert.equal(res.status, 207);
  const results = res.body.results as { status: number; errors?: unknown }[];
  assert.deepEqual(results.map((r) => r.status), [202, 202, 202, 400]);
  assert.deepEqual(results[3]!.errors, [{ in: 'body', field: 'events.3.data.amount', message: 'must be >= 0' }]);
  const stored = await stack.ledger.db.selectFrom('events').select('id').where('id', 'like', 'batch-catalog-%').orderBy('id').execute();
  assert.deepEqual(stored.map((r) => r.id), ['batch-catalog-0', 'batch-catalog-1', 'batch-catalog-2']);
});

test('tenants read the catalog: every declared type, only the types they have seen, and never PUT or DELETE (403)', async () => {
  assert.equal((await stack.api('POST', '/v1/events', { tenantId: 'globex', type: 'globex.secret', data: {} })).status, 202);
  const acme = await listed('acme');
  const byType = new Map(acme.map((e) => [e.type, e]));
  assert.equal(byType.get('order.created')?.declared, true);
  assert.equal(byType.get('order.created')?.description, ORDER.description);
  assert.deepEqual(byType.get('order.created')?.example, ORDER.example);
  assert.ok(byType.get('order.created')?.lastSeenAt, "acme's own event of the type is seen");
  assert.deepEqual(byType.get('order.undeclared'), { type: 'order.undeclared', lastSeenAt: byType.get('order.undeclared')?.lastSeenAt, declared: false });
  assert.ok(!byType.has('globex.secret'), "another tenant's seen types stay hidden");
  assert.ok((await listed()).some((e) => e.type === 'globex.secret'), 'the operator sees every type');

  const globex = await listed('globex');
  assert.equal(globex.find((e) => e.type === 'order.created')?.lastSeenAt, null, 'declared, but not seen by globex');
  const one = await as('globex', 'GET', '/v1/event-types/order.created');
  assert.equal(one.status, 200);
  assert.equal(one.body.lastSeenAt, null, "acme's events do not show in globex's lastSeenAt");
  assert.equal((await as('acme', 'GET', '/v1/event-types/globex.secret')).status, 404, 'a type only seen is not declared');

  for (const [method, body] of [['PUT', ORDER], ['DELETE', undefined]] as const) {
    const res = await as('acme', method, '/v1/event-types/order.created', body);
    assert.equal(res.status, 403, `${method}: ${JSON.stringify(res.body)}`);
  }
  assert.equal((await stack.api('GET', '/v1/event-types/order.created')).body.description, ORDER.description, 'untouched');
});

test('a deprecated type is still accepted, with a Deprecation header and a link to its entry', async () => {
  const declared = await stack.api('PUT', '/v1/event-types/order.placed', {
    description: 'The old name of order.created.',
    deprecated: true,
    deprecatedMessage: 'Use order.created.',
    replacedBy: 'order.created',
  });
  assert.equal(declared.status, 201, JSON.stringify(declared.body));
  const since = declared.body.deprecatedAt as string;
  assert.ok(since);
  const res = await post({ orderId: 1 }, 'order.placed');
  assert.equal(res.status, 202);
  assert.equal(res.headers.get('deprecation'), `@${Math.floor(Date.parse(since) / 1000)}`);
  assert.equal(res.headers.get('link'), '</v1/event-types/order.placed>; rel="deprecation"; type="application/json"');
  assert.equal((await post({ orderId: 2, amount: 1 })).headers.get('deprecation'), null, 'only for a deprecated type');
  const again = await stack.api('PUT', '/v1/event-types/order.placed', { description: 'Still old.', deprecated: true });
  assert.equal(again.body.deprecatedAt, since, 'deprecated since the first time');
  const entry = (await listed('acme')).find((e) => e.type === 'order.placed');
  assert.equal(entry?.deprecated, true);
});

/** A second gateway on the same ledger and Temporal, as another replica would be. */
async function secondGateway(s: Stack): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(createApp({ config: s.config, ledger: s.ledger, client: s.env.client, logger: createLogger('test', 'silent') }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let other: Awaited<ReturnType<typeof secondGateway>> | undefined;
after(() => other?.close());

test('a declaration made on one gateway is enforced by another within the 1 s bound', async () => {
  other = await secondGateway(stack);
  const postThere = (n: number) =>
    fetch(`${other!.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'acme', type: 'invoice.paid', data: { n } }),
    });
  assert.equal((await postThere(0)).status, 202, 'the other gateway knows invoice.paid has no schema');
  const declared = await stack.api('PUT', '/v1/event-types/invoice.paid', { description: 'Paid.', schema: { type: 'object', required: ['invoiceId'] } });
  assert.equal(declared.status, 201);
  const putAt = Date.now();
  let n = 0;
  const refused = await waitUntil(async () => (await postThere(++n)).status === 400 && Date.now(), { what: 'the other gateway to enforce the schema', timeoutMs: 5000, intervalMs: 50 });
  assert.ok(refused - putAt <= 1500, `enforced after ${refused - putAt} ms`);
  const body = (await (await postThere(++n)).json()) as { errors: unknown };
  assert.deepEqual(body.errors, [{ in: 'body', field: 'data.invoiceId', message: 'is required' }]);
});

test('removing a declaration: 204, then 404; its events are accepted unchecked again; it stays listed as seen', async () => {
  assert.equal((await stack.api('DELETE', '/v1/event-types/order.created')).status, 204);
  assert.equal((await stack.api('GET', '/v1/event-types/order.created')).status, 404);
  assert.equal((await stack.api('DELETE', '/v1/event-types/order.created')).status, 404);
  assert.equal((await post({ orderId: 'not a number' })).status, 202, 'no schema any more (at once on the gateway that removed it)');
  const entry = (await listed('acme')).find((e) => e.type === 'order.created');
  assert.deepEqual(entry, { type: 'order.created', lastSeenAt: entry?.lastSeenAt, declared: false });
});

test('/asyncapi.json is public and lists the declared types as AsyncAPI 3.0.0; the OpenAPI document has the routes', async () => {
  const fetchDoc = async () => (await fetch(`${stack.gatewayUrl}/asyncapi.json`)).json() as Promise<{ asyncapi: string; channels: Record<string, unknown> }>;
  const doc = await waitUntil(async () => {
    const d = await fetchDoc();
    return !('order.created' in d.channels) && d;
  }, { what: 'the document to follow the catalog', timeoutMs: 5000 });
  assert.equal(doc.asyncapi, '3.0.0');
  // The operator's declarations, then the service's own types (webhook.*).
  assert.deepEqual(Object.keys(doc.channels).filter((t) => !t.startsWith('webhook.')).sort(), ['invoice.paid', 'order.placed']);
  assert.ok('webhook.endpoint.disabled' in doc.channels);
  const paths = buildOpenApiDocument().paths as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(paths['/v1/event-types/{type}']!).sort(), ['delete', 'get', 'put']);
  assert.ok(paths['/asyncapi.json']?.get);
});
