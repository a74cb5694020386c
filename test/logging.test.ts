import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSubscription, waitForEventDone } from './helpers/api';
import { TestReceiver } from './helpers/receiver';
import { TEST_TOKEN, useStack } from './helpers/stack';

const receiver = new TestReceiver((_req, nth) => (nth === 1 ? { status: 500 } : { status: 200 }));
const stack = useStack({ captureLogs: true }, receiver);

test('logs are JSON lines carrying event and delivery ids, and never a secret or the API token', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/log'), eventTypes: ['audit.*'], retrySchedule: ['0', '10ms'] });
  const posted = await stack.api('POST', '/v1/events', { type: 'audit.logged', data: {} });
  const eventId = posted.body.id as string;
  const [delivery] = await waitForEventDone(stack, eventId, 1);

  const lines = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(lines.some((l) => l.eventId === eventId && l.msg === 'event accepted'));
  assert.ok(lines.some((l) => l.eventId === eventId && l.deliveryId === delivery!.id && l.msg === 'attempt failed'));
  assert.ok(lines.some((l) => l.eventId === eventId && l.deliveryId === delivery!.id && l.msg === 'delivery succeeded'));
  const all = stack.logs.join('\n');
  assert.equal(all.includes(sub.secret), false, 'the signing secret is not logged');
  assert.equal(all.includes(sub.secret.slice('whsec_'.length)), false);
  assert.equal(all.includes(TEST_TOKEN), false, 'the API token is not logged');
});
