import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confirmationKey, signConfirmation, verifyConfirmation } from '../../src/security/confirmation-token';

const key = confirmationKey('a-long-enough-api-token');
const claim = { deliveryId: 'dlv_1', attempt: 3, expiresAt: 1_000_000 };

test('a token verifies until its expiry and reads as expired after it', () => {
  const token = signConfirmation(claim, key);
  assert.deepEqual(verifyConfirmation(token, key, 999_999), { ok: true, claim });
  assert.deepEqual(verifyConfirmation(token, key, 1_000_000), { ok: true, claim });
  assert.deepEqual(verifyConfirmation(token, key, 1_000_001), { ok: false, reason: 'expired' });
});

test('a token signed with another key, altered, or malformed is forged', () => {
  const token = signConfirmation(claim, key);
  const [body, mac] = token.split('.') as [string, string];
  const other = signConfirmation(claim, confirmationKey('another-api-token-here'));
  const longer = Buffer.from(JSON.stringify(['dlv_1', 3, 9_999_999])).toString('base64url');
  for (const t of [other, `${longer}.${mac}`, body, `${token}.x`, '']) {
    assert.deepEqual(verifyConfirmation(t, key, 0), { ok: false, reason: 'forged' }, t);
  }
});
