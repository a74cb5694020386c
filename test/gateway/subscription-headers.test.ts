import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASKED_HEADER_VALUE } from '../../src/delivery/custom-headers';
import type { Subscription } from '../../src/model';
import type { FieldError } from '../../clients/typescript/src';
import { createSubscription } from '../helpers/api';
import { problemOf } from '../helpers/api-shapes';
import { useStack } from '../helpers/stack';

// Custom headers of an endpoint through the API: limits and their 400s naming the field, what is
// stored and shown (values on one subscription, masked in lists), and tenant confinement.
const stack = useStack({ withoutWorker: true });

const URL_ = 'https://example.com/hooks';
async function refused(headers: unknown, method: 'POST' | 'PATCH' = 'POST', id?: string): Promise<FieldError[]> {
  const res =
    method === 'POST'
      ? await stack.api('POST', '/v1/subscriptions', { tenantId: 'default', url: URL_, eventTypes: ['order.*'], headers })
      : await stack.api('PATCH', `/v1/subscriptions/${id!}`, { headers });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  return problemOf(res).errors ?? [];
}

const fields = (errors: FieldError[]) => errors.map((e) => e.field);

test('headers are kept as given, shown on the subscription, masked in lists, replaced by PATCH and removed by null', async () => {
  const headers = { Authorization: 'Bearer rcv-token-123', 'X-Tenant-Route': 'eu-1' };
  const created = await createSubscription(stack, { url: URL_, eventTypes: ['order.*'], headers });
  assert.deepEqual(created.headers, headers);
  const read = await stack.client.subscriptions.get(created.id);
  assert.deepEqual(read.headers, headers);

  const listed = (await stack.api('GET', '/v1/subscriptions?limit=100')).body.data as Subscription[];
  const inList = listed.find((s) => s.id === created.id)!;
  assert.deepEqual(inList.headers, { Authorization: MASKED_HEADER_VALUE, 'X-Tenant-Route': MASKED_HEADER_VALUE });
  assert.equal(JSON.stringify(listed).includes('rcv-token-123'), false, 'no value in a list');
  const copiedBack = await refused(inList.headers, 'PATCH', created.id);
  assert.deepEqual(fields(copiedBack), ['headers.Authorization', 'headers.X-Tenant-Route'], 'a masked value sent back is refused');

  const patched = await stack.api('PATCH', `/v1/subscriptions/${created.id}`, { headers: { 'x-api-key': 'k2' } });
  assert.equal(patched.status, 200);
  assert.deepEqual(patched.body.headers, { 'x-api-key': 'k2' }, 'PATCH replaces the whole set');
  const untouched = await stack.api('PATCH', `/v1/subscriptions/${created.id}`, { description: 'other field' });
  assert.deepEqual(untouched.body.headers, { 'x-api-key': 'k2' }, 'a PATCH without headers keeps them');
  const cleared = await stack.api('PATCH', `/v1/subscriptions/${created.id}`, { headers: null });
  assert.deepEqual(cleared.body.headers, {});
  const stored = await stack.ledger.db.selectFrom('subscriptions').select('headers').where('id', '=', created.id).executeTakeFirstOrThrow();
  assert.equal(stored.headers, null);

  const plain = await createSubscription(stack, { url: URL_, eventTypes: ['order.*'] });
  assert.deepEqual(plain.headers, {}, 'none: an empty object');
});

test('reserved names are refused with a 400 naming the header, whatever their case', async () => {
  const reserved = [
    'Connection', 'keep-alive', 'Proxy-Authenticate', 'proxy-authorization', 'Proxy-Connection', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade',
    'Host', 'Content-Length', 'content-encoding', 'Expect', 'Content-Type', 'User-Agent', 'traceparent', 'Tracestate',
    'webhook-id', 'Webhook-Signature', 'WEBHOOK-TIMESTAMP', 'webhook-anything',
  ];
  for (const name of reserved) {
    const errors = await refused({ [name]: 'x' });
    assert.deepEqual(fields(errors), [`headers.${name}`], name);
    assert.match(errors[0]!.message, /^cannot be set: /, name);
  }
});

test('names must be RFC 7230 tokens of bounded length; values visible ASCII without CR, LF or NUL', async () => {
  for (const name of ['X Space', 'X:Colon', 'X\u0000Nul', 'é-header', 'X(paren)', '', 'x'.repeat(101)]) {
    assert.deepEqual(fields(await refused({ [name]: 'v' })), [`headers.${name}`], JSON.stringify(name));
  }
  for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\u0000b', 'tab\tinside', ' padded', 'padded ', '', 'ü', 'x'.repeat(2049)]) {
    assert.deepEqual(fields(await refused({ 'X-Ok': value })), ['headers.X-Ok'], JSON.stringify(value));
  }
  for (const value of [1, null, true, {}, ['a']]) {
    assert.deepEqual(fields(await refused({ 'X-Ok': value })), ['headers.X-Ok'], JSON.stringify(value));
  }
  for (const headers of ['a string', ['X-A', 'b'], 42]) {
    assert.deepEqual(fields(await refused(headers)), ['headers'], JSON.stringify(headers));
  }
  const ok = await createSubscription(stack, { url: URL_, eventTypes: ['order.*'], headers: { "!#$%&'*+-.^_`|~09Az": 'a "quoted" value; with = signs', 'X-Max': 'v'.repeat(2048) } });
  assert.equal(Object.keys(ok.headers).length, 2);
});

test('at most 20 headers, names unique whatever their case, 8192 characters in all', async () => {
  const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v']));
  assert.deepEqual(fields(await refused(many)), ['headers']);
  const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`X-H${i}`, 'v']));
  assert.equal((await createSubscription(stack, { url: URL_, eventTypes: ['order.*'], headers: twenty })).headers['X-H19'], 'v');

  assert.deepEqual(fields(await refused({ 'X-Key': 'a', 'x-key': 'b' })), ['headers.x-key']);
  const large = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`X-Big${i}`, 'v'.repeat(2000)]));
  assert.deepEqual(fields(await refused(large)), ['headers']);

  const sub = await createSubscription(stack, { url: URL_, eventTypes: ['order.*'], headers: { 'X-Keep': 'kept' } });
  assert.deepEqual(fields(await refused({ Host: 'evil.example' }, 'PATCH', sub.id)), ['headers.Host']);
  assert.deepEqual((await stack.api('GET', `/v1/subscriptions/${sub.id}`)).body.headers, { 'X-Keep': 'kept' }, 'a refused PATCH changed nothing');
});

test("a tenant's key reads and edits its own endpoint's headers; another tenant's gets the same 404 as for no endpoint", async () => {
  for (const tenant of ['hdr-a', 'hdr-b']) assert.equal((await stack.api('PUT', `/v1/tenants/${tenant}`, { name: tenant })).status, 201);
  const keyOf = async (tenant: string) => `Bearer ${(await stack.api('POST', `/v1/tenants/${tenant}/keys`, {})).body.key as string}`;
  const [keyA, keyB] = [await keyOf('hdr-a'), await keyOf('hdr-b')];
  const created = await stack.api('POST', '/v1/subscriptions', { url: URL_, eventTypes: ['order.*'], headers: { 'X-Secret': 's-a' } }, { authorization: keyA });
  assert.equal(created.status, 201);
  const id = created.body.id as string;

  assert.deepEqual((await stack.api('GET', `/v1/subscriptions/${id}`, undefined, { authorization: keyA })).body.headers, { 'X-Secret': 's-a' });
  const edited = await stack.api('PATCH', `/v1/subscriptions/${id}`, { headers: { 'X-Secret': 's-a2' } }, { authorization: keyA });
  assert.deepEqual(edited.body.headers, { 'X-Secret': 's-a2' });

  const missing = await stack.api('GET', '/v1/subscriptions/sub_DOESNOTEXIST', undefined, { authorization: keyB });
  const theirs = await stack.api('GET', `/v1/subscriptions/${id}`, undefined, { authorization: keyB });
  const patchTheirs = await stack.api('PATCH', `/v1/subscriptions/${id}`, { headers: { 'X-Secret': 'stolen' } }, { authorization: keyB });
  assert.deepEqual([missing.status, theirs.status, patchTheirs.status], [404, 404, 404]);
  assert.equal(JSON.stringify(theirs.body).includes('s-a2'), false);
  assert.equal((theirs.body as { title?: string }).title, (missing.body as { title?: string }).title);
  const listB = await stack.api('GET', '/v1/subscriptions', undefined, { authorization: keyB });
  assert.equal(JSON.stringify(listB.body).includes(id), false);
  assert.deepEqual((await stack.api('GET', `/v1/subscriptions/${id}`)).body.headers, { 'X-Secret': 's-a2' }, 'unchanged by the other tenant');
});
