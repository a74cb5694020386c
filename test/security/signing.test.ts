import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { generateSecret, signWebhook } from '../../src/security/signing';

// The test vector published with the Standard Webhooks specification.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

test('signs the Standard Webhooks test vector byte for byte', () => {
  const headers = signWebhook(VECTOR.secret, VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body);
  assert.deepEqual(headers, {
    'webhook-id': VECTOR.id,
    'webhook-timestamp': String(VECTOR.timestamp),
    'webhook-signature': VECTOR.signature,
  });
});

test('an independent verifier (svix) accepts our signature and rejects a tampered body', () => {
  const secret = generateSecret();
  const body = JSON.stringify({ type: 'order.created', data: { id: 1 } });
  const headers = signWebhook(secret, 'evt_1', new Date(), body);
  const verifier = new SvixWebhook(secret);
  assert.deepEqual(verifier.verify(body, { ...headers }), JSON.parse(body));
  assert.throws(() => verifier.verify(body.replace('1', '2'), { ...headers }));
});

test('generated secrets are whsec_ + 32 random bytes', () => {
  const a = generateSecret();
  assert.match(a, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
  assert.notEqual(a, generateSecret());
});

test('during a rotation both signatures go out: unmodified verifiers accept the old secret and the new one', () => {
  const [previous, current] = [generateSecret(), generateSecret()];
  const body = JSON.stringify({ type: 'order.created', data: { id: 2 } });
  const headers = signWebhook([current, previous], 'evt_2', new Date(), body);
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  for (const secret of [previous, current]) {
    assert.deepEqual(new SvixWebhook(secret).verify(body, { ...headers }), JSON.parse(body));
    assert.deepEqual(new StandardWebhook(secret).verify(body, { ...headers }), JSON.parse(body));
  }
  assert.throws(() => new StandardWebhook(generateSecret()).verify(body, { ...headers }), 'a third secret does not verify');
});
