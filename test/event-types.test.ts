import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesPattern, patternsMatching } from '../src/event-types';

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
