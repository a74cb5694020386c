import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { generateSecret } from '../../src/security/signing';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { type ReceivedRequest, TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const receiver = new TestReceiver(() => ({ status: 200 }));
const stack = useStack({}, receiver);

/** Whether a receiver holding `secret` accepts the request, with either unmodified verifier. */
function verifies(secret: string, request: ReceivedRequest): boolean {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  const results = [new StandardWebhook(secret), new SvixWebhook(secret)].map((verifier) => {
    try {
      verifier.verify(request.body, headers);
      return true;
    } catch {
      return false;
    }
  });
  assert.equal(results[0], results[1], 'both verifiers agree');
  return results[0]!;
}

async function deliverOne(): Promise<ReceivedRequest> {
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'rotate.me', data: { at: Date.now() } });
  await waitForEventDone(stack, posted.body.id as string, 1);
  return receiver.requests.find((r) => r.headers['webhook-id'] === posted.body.id)!;
}

test('after a rotation both secrets verify during the grace window, and only the new one after it', async () => {
  const oldSecret = generateSecret();
  const sub = await createSubscription(stack, { url: receiver.url('/rotating'), eventTypes: ['rotate.me'], secret: oldSecret });
  const newSecret = generateSecret();
  const rotated = await stack.api('POST', `/v1/subscriptions/${sub.id}/secret/rotate`, { secret: newSecret, grace: '3s' });
  assert.equal(rotated.status, 200);
  assert.equal(rotated.body.secret, newSecret);
  const until = Date.parse(rotated.body.previousSecretExpiresAt as string);

  const during = await deliverOne();
  assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
  assert.equal(verifies(oldSecret, during), true, 'a receiver that still holds the old secret');
  assert.equal(verifies(newSecret, during), true, 'a receiver that already holds the new one');

  await waitUntil(() => Date.now() > until, { timeoutMs: 10_000, what: 'the grace window to end' });
  const after = await deliverOne();
  assert.equal(verifies(oldSecret, after), false, 'the old secret no longer verifies');
  assert.equal(verifies(newSecret, after), true);
  assert.equal((await stack.api('GET', `/v1/subscriptions/${sub.id}`)).body.secret, undefined, 'the secret is never read back');
});

test('a rotation without a body generates the secret and keeps the old one for the default window', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/generated'), eventTypes: ['rotate.gen'] });
  const rotated = await stack.api('POST', `/v1/subscriptions/${sub.id}/secret/rotate`);
  assert.equal(rotated.status, 200);
  assert.match(String(rotated.body.secret), /^whsec_/);
  assert.notEqual(rotated.body.secret, sub.secret);
  const windowMs = Date.parse(rotated.body.previousSecretExpiresAt as string) - Date.now();
  assert.ok(windowMs > 23 * 3_600_000 && windowMs <= 24 * 3_600_000, `default window ${windowMs} ms`);
  assert.equal((await stack.api('POST', '/v1/subscriptions/sub_nope/secret/rotate')).status, 404);
  const bad = await stack.api('POST', `/v1/subscriptions/${sub.id}/secret/rotate`, { secret: 'not-a-secret', grace: '30d' });
  assert.deepEqual((bad.body.errors as { field: string }[]).map((e) => e.field).sort(), ['grace', 'secret']);
});
