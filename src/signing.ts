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
export function signWebhook(secret: string, id: string, timestamp: Date, body: string): SignedHeaders {
  const signature = new Webhook(secret).sign(id, timestamp, body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
