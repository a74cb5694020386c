import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';

const receiver = new TestReceiver();
const stack = useStack({}, receiver);

const post = async (data: Record<string, unknown>) =>
  (await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'order.placed', data })).body.id as string;

test('a payload filter is evaluated in the fan-out: a non-matching subscription gets no delivery at all', async () => {
  const bigEu = await createSubscription(stack, {
    url: receiver.url('/big-eu'),
    eventTypes: ['order.*'],
    filter: { 'order.total': { $gte: 100 }, region: { $in: ['eu', 'uk'] }, $not: { 'order.test': true } },
  });
  const everything = await createSubscription(stack, { url: receiver.url('/all'), eventTypes: ['order.*'] });
  const cases: [Record<string, unknown>, boolean][] = [
    [{ order: { total: 250 }, region: 'eu' }, true],
    [{ order: { total: 99.5 }, region: 'eu' }, false],
    [{ order: { total: 250 }, region: 'us' }, false],
    [{ order: { total: 250, test: true }, region: 'uk' }, false],
    [{ region: 'eu' }, false],
  ];
  for (const [data, matches] of cases) {
    const eventId = await post(data);
    const deliveries = await waitForEventDone(stack, eventId, matches ? 2 : 1);
    const to = deliveries.map((d) => d.subscriptionId).sort();
    assert.deepEqual(to, (matches ? [bigEu.id, everything.id] : [everything.id]).sort(), JSON.stringify(data));
  }
  assert.equal(receiver.to('/big-eu').length, 1);

  // Editing the filter applies to the next events; null removes it.
  const patched = await stack.client.subscriptions.update(bigEu.id, { filter: { region: 'us' } });
  assert.deepEqual(patched.filter, { region: 'us' });
  assert.equal((await waitForEventDone(stack, await post({ region: 'us' }), 2)).length, 2);
  await stack.api('PATCH', `/v1/subscriptions/${bigEu.id}`, { filter: null });
  assert.equal((await waitForEventDone(stack, await post({ region: 'nowhere' }), 2)).length, 2);
});

test('a bad filter is a 400 naming the bad part', async () => {
  const create = (filter: unknown) => stack.api('POST', '/v1/subscriptions', { tenantId: 'default', url: receiver.url('/x'), eventTypes: ['*'], filter });
  const cases: [unknown, string, RegExp][] = [
    [{ 'order.total': { $gte: [1] } }, 'filter.order.total.$gte', /number or a string/],
    [{ $foo: 1 }, 'filter.$foo', /not a known operator/],
    [{ 'a.__proto__': 1 }, 'filter.a.__proto__', /not allowed/],
    [{ $or: [] }, 'filter.$or', /1 to 20/],
    [{ x: 'y'.repeat(5000) }, 'filter', /4 KiB|4096/],
  ];
  for (const [filter, field, message] of cases) {
    const res = await create(filter);
    assert.equal(res.status, 400, JSON.stringify(filter).slice(0, 80));
    const errors = res.body.errors as { field: string; message: string }[];
    assert.ok(errors.some((e) => e.field === field && message.test(e.message)), `${field}: ${JSON.stringify(errors)}`);
  }
});
