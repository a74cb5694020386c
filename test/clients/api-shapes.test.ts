// The check every API test's answers go through (test/helpers/api-shapes.ts), on answers made up
// here: it must refuse what the route does not declare and name what is wrong. No servers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAnswer, problemOf, routeFor } from '../helpers/api-shapes';

const BASE = 'http://127.0.0.1:1';
const subscription = {
  id: 'sub_1',
  tenantId: 'default',
  url: 'https://example.com/hooks',
  description: null,
  eventTypes: ['order.*'],
  retrySchedule: [0],
  timeoutMs: 15_000,
  confirmation: { required: false, timeoutMs: null },
  maxConcurrency: null,
  rateLimitPerSecond: null,
  ordering: 'unordered',
  filter: null,
  headers: {},
  status: 'active',
  failingSince: null,
  disabledReason: null,
  disabledAt: null,
  previousSecretExpiresAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const notFound = { type: 'about:blank', title: 'Not found', status: 404, detail: 'No subscription with id sub_1.' };

function answer(method: string, path: string, status: number, body: unknown, type = status >= 400 ? 'application/problem+json' : 'application/json'): () => void {
  const text = body === undefined ? '' : JSON.stringify(body);
  return () => checkAnswer(method, `${BASE}${path}`, new Response(text === '' ? null : text, { status, headers: { 'content-type': type } }), text);
}

test('routes are found as express finds them: parameters are one segment, literal routes keep their place', () => {
  assert.equal(routeFor('GET', '/v1/subscriptions/sub_1')?.path, '/v1/subscriptions/{id}');
  assert.equal(routeFor('POST', '/v1/deliveries/retry')?.path, '/v1/deliveries/retry');
  assert.equal(routeFor('POST', '/v1/deliveries/dlv_1/retry')?.path, '/v1/deliveries/{id}/retry');
  assert.equal(routeFor('GET', '/v1/subscriptions/a/b/c'), undefined);
});

test('an answer its route declares passes', () => {
  answer('GET', '/v1/subscriptions/sub_1', 200, subscription)();
  answer('GET', '/v1/subscriptions/sub_1', 404, notFound)();
  answer('DELETE', '/v1/subscriptions/sub_1', 204, undefined)();
  answer('GET', '/no/such/route', 500, 'anything')();
});

test('a field of the wrong type, a missing one or one the schema lacks fails, naming it', () => {
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 200, { ...subscription, timeoutMs: '15s' }), /GET \/v1\/subscriptions\/\{id\}\) answered a 200 whose body does not match[^]*timeoutMs/);
  const { url: _, ...withoutUrl } = subscription;
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 200, withoutUrl), /at url/);
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 200, { ...subscription, secret: 'whsec_x' }), /fields the schema does not declare: secret/);
  assert.throws(answer('GET', '/v1/subscriptions?limit=1', 200, { data: [{ ...subscription, extra: 1 }], nextCursor: null }), /data\.0\.extra/);
});

test('a status the route does not declare, or a problem in the wrong shape, fails', () => {
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 201, subscription), /a 201, which the route does not declare \(it declares 200\)/);
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 500, { ...notFound, status: 500 }), /a 500, which the OpenAPI document does not list/);
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 404, notFound, 'application/json'), /not application\/problem\+json/);
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 404, { ...notFound, status: 400 }), /a problem whose status is not 404/);
  assert.throws(answer('GET', '/v1/subscriptions/sub_1', 404, { ...notFound, detail: undefined }), /detail/);
});

test('problemOf reads a problem answer, typed', () => {
  const errors = [{ in: 'body', field: 'url', message: 'must be an http(s) URL' }];
  assert.deepEqual(problemOf({ body: { ...notFound, status: 400, errors } }).errors, errors);
  assert.throws(() => problemOf({ body: subscription }), /not a problem/);
});
