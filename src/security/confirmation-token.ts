import crypto from 'node:crypto';

/**
 * Capability tokens for webhook-confirm-url: the delivery, the attempt and an expiry, signed
 * with HMAC-SHA256 so nobody can mint or alter one. Single use is enforced by the ledger, not here.
 */

export interface ConfirmationClaim {
  deliveryId: string;
  attempt: number;
  /** Unix milliseconds after which the token is refused. */
  expiresAt: number;
}

export type TokenCheck = { ok: true; claim: ConfirmationClaim } | { ok: false; reason: 'forged' | 'expired' };

/** The signing key, derived from the API token so worker and gateway share it without a new setting. */
export function confirmationKey(apiToken: string): Buffer {
  return crypto.createHmac('sha256', apiToken).update('webhook-relay confirmation-url v1').digest();
}

export function signConfirmation(claim: ConfirmationClaim, key: Buffer): string {
  const body = Buffer.from(JSON.stringify([claim.deliveryId, claim.attempt, claim.expiresAt])).toString('base64url');
  const mac = crypto.createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function verifyConfirmation(token: string, key: Buffer, now: number): TokenCheck {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return { ok: false, reason: 'forged' };
  const expected = crypto.createHmac('sha256', key).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  const [deliveryId, attempt, expiresAt] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, number, number];
  if (now > expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claim: { deliveryId, attempt, expiresAt } };
}
