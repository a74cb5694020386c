import type { WebhookDispatcher } from '../../src/http/webhook-dispatcher';
import { signConfirmation } from '../../src/security/confirmation-token';
import { outgoingCustomHeaders } from '../../src/delivery/custom-headers';
import { sendWebhook, type WebhookResponse } from '../../src/http/send-webhook';
import { signWebhook } from '../../src/security/signing';
import type { StoredEvent, SubscriptionTarget } from '../../src/store/ledger';

/** One webhook to send: the event, to whom, and which attempt of which delivery it is. */
export interface OutgoingWebhook {
  deliveryId: string;
  attempt: number;
  /** The delivery's place in its subscription's order (webhook-sequence). */
  sequence: number;
  event: StoredEvent;
  subscription: SubscriptionTarget;
  /** How long the receiver has to confirm, or null when the subscription needs no confirmation. */
  confirmationTimeoutMs: number | null;
  /** Aborts the request in flight (the delivery was cancelled). */
  cancel?: AbortSignal;
}

/**
 * How a webhook reaches a receiver: signs it, sends it, reads the answer. HTTP is the one there
 * is; another transport (a queue, a broker) would sit beside it behind the same interface.
 */
export interface WebhookTransport {
  send(webhook: OutgoingWebhook): Promise<WebhookResponse>;
}

export interface HttpTransportOptions {
  dispatcher: WebhookDispatcher;
  /** Where confirmation URLs point (the gateway) and the key that signs them. */
  confirmation: { baseUrl: string; key: Buffer };
}

/** The current secret, and the one a rotation replaced while its grace window lasts. */
function signingSecrets(subscription: SubscriptionTarget, at: Date): string[] {
  const { secret, previousSecret, previousSecretExpiresAt } = subscription;
  const previousValid = previousSecret !== null && previousSecretExpiresAt !== null && Date.parse(previousSecretExpiresAt) > at.getTime();
  return previousValid ? [secret, previousSecret] : [secret];
}

/** Standard Webhooks over HTTP POST, with a webhook-confirm-url when the subscription asks for one. */
export function httpTransport({ dispatcher, confirmation }: HttpTransportOptions): WebhookTransport {
  return {
    async send({ deliveryId, attempt, sequence, event, subscription, confirmationTimeoutMs, cancel }) {
      // A test event (POST /v1/subscriptions/{id}/test) targets one subscription; its receiver must
      // be able to tell it from real business: said in a header and, signed, in the body.
      const isTest = event.targetSubscriptionId !== null;
      const body = JSON.stringify({ type: event.type, timestamp: event.createdAt, data: event.data, ...(isTest && { test: true }) });
      const sentAt = new Date();
      const headers: Record<string, string> = {
        // First, so that every header of ours below wins (names were lower-cased; ours are too).
        ...outgoingCustomHeaders(subscription.headers),
        ...signWebhook(signingSecrets(subscription, sentAt), event.id, sentAt, body),
        // Per subscription, increasing in acceptance order: a receiver sees gaps and reorders by it.
        'webhook-sequence': String(sequence),
        ...(isTest && { 'webhook-test': 'true' }),
      };
      if (confirmationTimeoutMs !== null) {
        // Valid for the whole wait: the workflow's timer starts only after this attempt's answer.
        const expiresAt = sentAt.getTime() + subscription.timeoutMs + confirmationTimeoutMs;
        const token = signConfirmation({ deliveryId, attempt, expiresAt }, confirmation.key);
        headers['webhook-confirm-url'] = `${confirmation.baseUrl}/v1/confirmations/${token}`;
      }
      return sendWebhook({ url: subscription.url, headers, body, timeoutMs: subscription.timeoutMs, dispatcher, cancel });
    },
  };
}
