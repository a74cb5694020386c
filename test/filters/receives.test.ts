import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Receivable, type Receiver, receives } from '../../src/filters';
import { patternsMatching } from '../../src/filters/event-types';

const endpoint: Receiver = { id: 'sub_a', tenantId: 'acme', eventTypes: ['order.*'], filter: { region: 'eu' } };
const event = (over: Partial<Receivable>): Receivable => ({
  type: 'order.created',
  data: { region: 'eu' },
  tenantId: 'acme',
  targetSubscriptionId: null,
  aboutSubscriptionId: null,
  ...over,
});

// The one rule of the fan-out and of replay, as a table: [case, event, received].
const CASES: [string, Receivable, boolean][] = [
  ['its tenant, its type, its filter', event({}), true],
  ['a broadcast of its type', event({ tenantId: null }), true],
  ["another tenant's event", event({ tenantId: 'other' }), false],
  ['a type it does not subscribe to', event({ type: 'user.created' }), false],
  ['data its filter refuses', event({ data: { region: 'us' } }), false],
  ['a test event aimed at it, whatever its types and filter', event({ type: 'webhook.test', data: {}, targetSubscriptionId: 'sub_a' }), true],
  ['a test event aimed at another endpoint', event({ targetSubscriptionId: 'sub_b' }), false],
  ['an operational event about itself', event({ type: 'webhook.endpoint.failing', aboutSubscriptionId: 'sub_a' }), false],
  ['an event of its type about another endpoint', event({ aboutSubscriptionId: 'sub_b' }), true],
];

for (const [name, e, expected] of CASES) {
  test(`receives: ${name} → ${expected}`, () => assert.equal(receives(endpoint, e), expected));
}

test("`*` takes the platform's types, not the service's own", () => {
  const all: Receiver = { ...endpoint, eventTypes: ['*'], filter: null };
  assert.equal(receives(all, event({ type: 'anything.at.all' })), true);
  assert.equal(receives(all, event({ type: 'webhook.delivery.exhausted' })), false);
  assert.equal(receives({ ...all, eventTypes: ['webhook.*'] }, event({ type: 'webhook.delivery.exhausted' })), true);
});

// The fan-out narrows by the ledger's pattern index, then asks receives() with the patterns that
// matched standing for the candidate's types: that is the same answer as with its own types.
test('a candidate found by any matching pattern gets the answer its own types give', () => {
  const segment = fc.constantFrom('order', 'user', 'webhook', 'created', 'v2');
  const type = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
  fc.assert(
    fc.property(type, fc.array(type, { minLength: 1, maxLength: 3 }), fc.boolean(), (t, own, star) => {
      const ownTypes = [...own.map((p, i) => (i === 0 && star ? '*' : `${p}.*`)), ...own];
      const candidate = patternsMatching(t).some((p) => ownTypes.includes(p));
      const e = event({ type: t, data: { region: 'eu' } });
      if (candidate) assert.equal(receives({ ...endpoint, eventTypes: patternsMatching(t) }, e), receives({ ...endpoint, eventTypes: ownTypes }, e));
    }),
  );
});
