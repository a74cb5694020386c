import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useStack } from '../helpers/stack';

const stack = useStack({ withoutWorker: true });

type Problem = { type: string; title: string; status: number; detail: string; errors?: { in: string; field: string; message: string }[] };
const fields = (body: unknown) => ((body as Problem).errors ?? []).map((e) => `${e.in}:${e.field}`).sort();

function assertProblem(res: { status: number; headers: Headers; body: unknown }, status: number) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal((res.body as Problem).status, status);
  assert.ok((res.body as Problem).title);
  assert.ok((res.body as Problem).detail);
}

test('every /v1 route needs the bearer token', async () => {
  for (const [method, path] of [
    ['GET', '/v1/subscriptions'],
    ['POST', '/v1/events'],
    ['GET', '/v1/deliveries'],
  ] as const) {
    const missing = await fetch(`${stack.gatewayUrl}${path}`, { method });
    assertProblem({ status: missing.status, headers: missing.headers, body: await missing.json() }, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const wrong = await stack.api(method, path, undefined, { authorization: 'Bearer not-the-token' });
    assertProblem(wrong, 401);
  }
});

test('a bad subscription names every failing field', async () => {
  const res = await stack.api('POST', '/v1/subscriptions', {
    url: 'ftp://example.com/hook',
    eventTypes: ['order.created', 'bad type!'],
    secret: 'not-a-secret',
    retrySchedule: ['5s', 'later'],
    timeoutMs: 60_000,
    colour: 'blue',
  });
  assertProblem(res, 400);
  assert.deepEqual(fields(res.body), [
    'body:colour',
    'body:eventTypes.1',
    'body:retrySchedule.1',
    'body:secret',
    'body:timeoutMs',
    'body:url',
  ]);
  const unknown = (res.body as Problem).errors!.find((e) => e.field === 'colour');
  assert.equal(unknown!.message, 'is not a known field');
});

test('missing required fields are reported as required', async () => {
  const res = await stack.api('POST', '/v1/events', {});
  assertProblem(res, 400);
  assert.deepEqual(fields(res.body), ['body:data', 'body:type']);
  assert.ok((res.body as Problem).errors!.every((e) => e.message === 'is required'));
  // With type and data right, the missing tenant is named: reaching every tenant is never a default.
  const noTenant = await stack.api('POST', '/v1/events', { type: 'order.created', data: {} });
  assert.deepEqual(fields(noTenant.body), ['body:tenantId']);
  assert.match((noTenant.body as Problem).errors![0]!.message, /broadcast: true/);
});

test('malformed JSON is a 400, an oversized body a 413, and neither writes anything', async () => {
  const malformed = await stack.api('POST', '/v1/events', '{"type": "order.created", "data": ');
  assertProblem(malformed, 400);
  const huge = { type: 'order.created', data: { blob: 'x'.repeat(300 * 1024) } };
  const tooLarge = await stack.api('POST', '/v1/events', huge);
  assertProblem(tooLarge, 413);
  const events = await stack.ledger.db.selectFrom('events').select('id').execute();
  assert.deepEqual(events, []);
});

test('bad query parameters are named too', async () => {
  const res = await stack.api('GET', '/v1/deliveries?limit=1000&status=lost');
  assertProblem(res, 400);
  assert.deepEqual(fields(res.body), ['query:limit', 'query:status']);
});

test('unknown routes are 404 problems', async () => {
  assertProblem(await stack.api('GET', '/v1/nothing-here'), 404);
  assertProblem(await stack.api('GET', '/v1/deliveries/dlv_missing'), 404);
  assertProblem(await stack.api('PATCH', '/v1/subscriptions/sub_missing', { description: 'x' }), 404);
});
