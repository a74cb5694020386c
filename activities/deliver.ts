import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import { sendWebhook } from '../src/http/send-webhook';
import type { Logger } from '../src/logger';
import { nextRetryDelayMs, parseRetryAfter } from '../src/retry-schedule';
import { signWebhook } from '../src/signing';
import type { Ledger } from '../src/store/ledger';
import { type DeliverResult, type DeliveryWorkflowInput, FailureType } from '../workflows/shared';

export interface DeliverDeps {
  ledger: Ledger;
  dispatcher: Dispatcher;
  logger: Logger;
}

/**
 * One HTTP attempt of one delivery. Temporal's activity retry drives the schedule: a failed attempt
 * throws with `nextRetryDelay` taken from the subscription's schedule, and the last one ends the
 * delivery in the ledger itself so the workflow needs no further activity.
 */
export function createDeliver({ ledger, dispatcher, logger }: DeliverDeps) {
  return async function deliver(input: DeliveryWorkflowInput): Promise<DeliverResult> {
    const { attempt: temporalAttempt } = Context.current().info;
    const attempt = input.attemptOffset + temporalAttempt;
    const log = logger.child({ eventId: input.eventId, deliveryId: input.deliveryId, attempt });

    const [delivery, event, subscription] = await Promise.all([
      ledger.getDelivery(input.deliveryId),
      ledger.getEvent(input.eventId),
      ledger.getSubscriptionTarget(input.subscriptionId),
    ]);
    if (!delivery || !event) {
      throw ApplicationFailure.nonRetryable(`delivery ${input.deliveryId} is not in the ledger`, FailureType.DeliveryEnded);
    }
    // A retry after a crash that followed a recorded success must not send or count again.
    if (delivery.status === 'succeeded') {
      const attempts = await ledger.listAttempts(input.deliveryId);
      const success = attempts.find((a) => a.outcome === 'succeeded');
      return { attempt: success?.number ?? attempt, statusCode: success?.statusCode ?? 200, durationMs: success?.durationMs ?? 0 };
    }
    if (delivery.status === 'failed' || delivery.status === 'cancelled') {
      throw ApplicationFailure.nonRetryable(`delivery already ${delivery.status}`, FailureType.DeliveryEnded);
    }
    if (!subscription || subscription.status !== 'active') {
      const reason = subscription ? `subscription disabled: ${subscription.disabledReason ?? ''}` : 'subscription deleted';
      await ledger.endDelivery(input.deliveryId, 'failed', reason);
      throw ApplicationFailure.nonRetryable(reason, FailureType.SubscriptionInactive);
    }

    await ledger.startAttempt(input.deliveryId, attempt);
    const body = JSON.stringify({ type: event.type, timestamp: event.createdAt, data: event.data });
    const headers = signWebhook(subscription.secret, event.id, new Date(), body);
    const response = await sendWebhook({
      url: subscription.url,
      headers: { ...headers },
      body,
      timeoutMs: subscription.timeoutMs,
      dispatcher,
    });

    if (response.kind === 'response' && response.statusCode >= 200 && response.statusCode < 300) {
      await ledger.finishAttempt(
        input.deliveryId,
        attempt,
        { outcome: 'succeeded', durationMs: response.durationMs, statusCode: response.statusCode, error: null, responseBody: response.body },
        { final: true },
      );
      log.info({ statusCode: response.statusCode, durationMs: response.durationMs }, 'delivery succeeded');
      return { attempt, statusCode: response.statusCode, durationMs: response.durationMs };
    }

    const statusCode = response.kind === 'response' ? response.statusCode : null;
    const error = response.kind === 'response' ? `receiver answered ${response.statusCode}` : response.error;
    const result = {
      outcome: 'failed' as const,
      durationMs: response.durationMs,
      statusCode,
      error,
      responseBody: response.kind === 'response' ? response.body : null,
    };

    if (statusCode === 410) {
      await ledger.finishAttempt(input.deliveryId, attempt, result, { final: true });
      await ledger.disableSubscription(input.subscriptionId, 'endpoint answered 410 Gone');
      log.warn({ statusCode }, 'endpoint gone; subscription disabled');
      throw ApplicationFailure.nonRetryable(error, FailureType.EndpointGone);
    }

    const honoursRetryAfter = statusCode === 429 || statusCode === 503;
    const delayMs = nextRetryDelayMs(input.retrySchedule, temporalAttempt, {
      retryAfterMs: honoursRetryAfter && response.kind === 'response' ? parseRetryAfter(response.retryAfter, Date.now()) : undefined,
    });
    const final = delayMs === undefined;
    await ledger.finishAttempt(input.deliveryId, attempt, result, {
      final,
      nextAttemptAt: final ? null : new Date(Date.now() + delayMs).toISOString(),
    });
    log.info({ statusCode, error, nextRetryDelayMs: delayMs }, final ? 'delivery failed; schedule exhausted' : 'attempt failed');
    throw ApplicationFailure.create({
      message: error,
      type: FailureType.AttemptFailed,
      nonRetryable: final,
      nextRetryDelay: final ? undefined : delayMs,
      details: [{ attempt, statusCode }],
    });
  };
}
