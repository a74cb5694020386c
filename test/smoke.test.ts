import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startStack, type Stack } from './helpers/stack';
import { TestReceiver } from './helpers/receiver';

let stack: Stack;
let receiver: TestReceiver;
before(async () => {
  stack = await startStack();
  receiver = await new TestReceiver().start();
});
after(async () => {
  await receiver?.stop();
  await stack?.stop();
});

test('smoke', async () => {
  const sub = await stack.api('POST', '/v1/subscriptions', { url: receiver.url('/a'), eventTypes: ['order.*'] });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const ev = await stack.api('POST', '/v1/events', { type: 'order.created', data: { n: 1 } });
  assert.equal(ev.status, 202, JSON.stringify(ev.body));
  await receiver.waitFor(() => receiver.requests.length === 1);
  console.log(receiver.requests[0]);
});
