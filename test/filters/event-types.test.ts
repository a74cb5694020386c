import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOperationalType, matchesPattern, OPERATIONAL_EVENT_TYPES, patternsMatching } from '../../src/filters/event-types';

test('exact, prefix and wildcard patterns match as documented', () => {
  assert.equal(matchesPattern('order.created', 'order.created'), true);
  assert.equal(matchesPattern('order.created', 'order.updated'), false);
  assert.equal(matchesPattern('order.*', 'order.created'), true);
  assert.equal(matchesPattern('order.*', 'order.created.v2'), true);
  assert.equal(matchesPattern('order.*', 'order'), false);
  assert.equal(matchesPattern('order.*', 'orders.created'), false);
  assert.equal(matchesPattern('*', 'anything.at.all'), true);
});

test('patternsMatching lists exactly the patterns that match a type', () => {
  const type = 'order.created.v2';
  const candidates = patternsMatching(type);
  assert.deepEqual(new Set(candidates), new Set(['*', 'order.created.v2', 'order.*', 'order.created.*']));
  for (const p of ['*', 'order.*', 'order.created.*', 'order.created.v2', 'order.created', 'user.*', 'order.created.v2.*']) {
    assert.equal(candidates.includes(p), matchesPattern(p, type), p);
  }
});

test("* means the platform's types, not the service's own: webhook.* types match only by name or prefix", () => {
  assert.equal(matchesPattern('*', 'webhook.endpoint.disabled'), false);
  assert.equal(matchesPattern('webhook.*', 'webhook.endpoint.disabled'), true);
  assert.equal(matchesPattern('webhook.endpoint.*', 'webhook.endpoint.disabled'), true);
  const candidates = patternsMatching('webhook.delivery.exhausted');
  assert.deepEqual(new Set(candidates), new Set(['webhook.delivery.exhausted', 'webhook.*', 'webhook.delivery.*']));
  for (const type of OPERATIONAL_EVENT_TYPES) assert.equal(isOperationalType(type), true, type);
  assert.equal(isOperationalType('webhooks.created'), false);
});
