import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new `whsec_` secret: 32 random bytes, base64, as the Standard Webhooks spec suggests. */
export function generateSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs `id.timestamp.body` with HMAC-SHA256 through the Standard Webhooks reference library,
 * so our bytes match what every receiver-side verifier computes.
 */
export function signWebhook(secret: string | readonly string[], id: string, timestamp: Date, body: string): SignedHeaders {
  // Several secrets (a rotation's grace window) give several signatures, space-separated, as the
  // spec allows: a receiver holding either secret verifies.
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const signature = secrets.map((s) => new Webhook(s).sign(id, timestamp, body)).join(' ');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
