import { ApplicationFailure, Context } from '@temporalio/activity';
import { signConfirmation } from '../src/confirmation-token';
import { sendWebhook } from '../src/http/send-webhook';
import { nextRetryDelayMs, parseRetryAfter } from '../src/retry-schedule';
import { signWebhook } from '../src/signing';
import type { StoredEvent, SubscriptionTarget } from '../src/store/ledger';
import { type DeliverResult, type DeliveryWorkflowInput, FailureType } from '../workflows/shared';
import type { ActivityDeps } from './deps';

/**
 * One HTTP attempt of one delivery. Temporal's activity retry drives the schedule: a failed attempt
 * throws with `nextRetryDelay` taken from the subscription's schedule, and the last one ends the
 * delivery in the ledger itself so the workflow needs no further activity.
 */
export function createDeliver({ ledger, dispatcher, logger, confirmation, disableAfterMs }: ActivityDeps) {
  return async function deliver(input: DeliveryWorkflowInput): Promise<DeliverResult> {
    const info = Context.current().info;
    const [delivery, event, subscription] = await Promise.all([
      ledger.getDelivery(input.deliveryId),
      ledger.getEvent(input.eventId),
      ledger.getSubscriptionTarget(input.subscriptionId),
    ]);
    if (!delivery || !event) {
      throw ApplicationFailure.nonRetryable(`delivery ${input.deliveryId} is not in the ledger`, FailureType.DeliveryEnded);
    }
    // Attempt numbers come from the ledger, not from Temporal's attempt counter, so retries that
    // were only deferred by the endpoint's limits do not use up the schedule.
    const attempt = Math.max(delivery.attemptCount, input.attemptOffset) + 1;
    const madeInSlice = attempt - 1 - input.attemptOffset;
    const log = logger.child({ eventId: input.eventId, deliveryId: input.deliveryId, attempt });

    // A retry after a crash that followed a recorded success must not send or count again.
    if (delivery.status === 'succeeded') {
      const attempts = await ledger.listAttempts(input.deliveryId);
      const success = attempts.find((a) => a.outcome === 'succeeded');
      return { attempt: success?.number ?? attempt - 1, statusCode: success?.statusCode ?? 200, durationMs: success?.durationMs ?? 0 };
    }
    if (delivery.status === 'failed' || delivery.status === 'cancelled') {
      throw ApplicationFailure.nonRetryable(`delivery already ${delivery.status}`, FailureType.DeliveryEnded);
    }
    if (!subscription || subscription.status !== 'active') {
      const reason = subscription ? `subscription disabled: ${subscription.disabledReason ?? ''}` : 'subscription deleted';
      await ledger.endDelivery(input.deliveryId, 'failed', reason);
      throw ApplicationFailure.nonRetryable(reason, FailureType.SubscriptionInactive);
    }
    if (madeInSlice >= input.retrySchedule.length) {
      // Only reachable when attempts were lost with their workers: nothing left to try.
      const reason = delivery.lastError ?? 'every attempt of the schedule was lost';
      await ledger.endDelivery(input.deliveryId, 'failed', reason);
      throw ApplicationFailure.nonRetryable(reason, FailureType.AttemptFailed);
    }

    // The endpoint's limits: wait (without holding a worker slot) rather than pile requests on it.
    let release: (() => Promise<void>) | undefined;
    if (subscription.maxConcurrency !== null) {
      const holder = `${info.workflowExecution?.workflowId ?? info.activityId}/${info.attempt}`;
      release = await ledger.limits.acquireSlot(input.subscriptionId, subscription.maxConcurrency, holder, subscription.timeoutMs + 10_000);
      if (!release) throw throttled('the endpoint is at its maxConcurrency', 200 + Math.round(Math.random() * 500));
    }
    if (subscription.rateLimitPerSecond !== null) {
      const waitMs = await ledger.limits.takeRateToken(input.subscriptionId, subscription.rateLimitPerSecond);
      if (waitMs !== undefined) {
        await release?.();
        throw throttled('the endpoint is at its rateLimitPerSecond', waitMs + Math.round(Math.random() * 100));
      }
    }
    try {
      return await attemptOnce(event, subscription);
    } finally {
      await release?.();
    }

    async function attemptOnce(event: StoredEvent, subscription: SubscriptionTarget): Promise<DeliverResult> {
      await ledger.startAttempt(input.deliveryId, attempt);
      const body = JSON.stringify({ type: event.type, timestamp: event.createdAt, data: event.data });
      const sentAt = new Date();
      const headers: Record<string, string> = { ...signWebhook(subscription.secret, event.id, sentAt, body) };
      if (input.confirmationTimeoutMs !== null) {
        // Valid for the whole wait: the workflow's timer starts only after this attempt's answer.
        const expiresAt = sentAt.getTime() + subscription.timeoutMs + input.confirmationTimeoutMs;
        const token = signConfirmation({ deliveryId: input.deliveryId, attempt, expiresAt }, confirmation.key);
        headers['webhook-confirm-url'] = `${confirmation.baseUrl}/v1/confirmations/${token}`;
      }
      const response = await sendWebhook({ url: subscription.url, headers, body, timeoutMs: subscription.timeoutMs, dispatcher });
      const ok = response.kind === 'response' && response.statusCode >= 200 && response.statusCode < 300;
      // A success to a healthy endpoint has no streak to clear: skip that write on the hot path.
      const disabled =
        ok && subscription.failingSince === null ? false : await ledger.recordEndpointHealth(input.subscriptionId, ok, disableAfterMs);
      if (disabled) log.warn({ subscriptionId: input.subscriptionId }, 'subscription disabled: failing for too long');

      if (ok) {
        const awaitingConfirmation = input.confirmationTimeoutMs !== null;
        await ledger.finishAttempt(
          input.deliveryId,
          attempt,
          {
            outcome: awaitingConfirmation ? 'awaiting_confirmation' : 'succeeded',
            durationMs: response.durationMs,
            statusCode: response.statusCode,
            error: null,
            responseBody: response.body,
          },
          { final: !awaitingConfirmation },
        );
        log.info({ statusCode: response.statusCode, durationMs: response.durationMs }, awaitingConfirmation ? 'awaiting confirmation' : 'delivery succeeded');
        return { attempt, statusCode: response.statusCode, durationMs: response.durationMs, ...(awaitingConfirmation && { awaitingConfirmation }) };
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
      const delayMs = nextRetryDelayMs(input.retrySchedule, madeInSlice + 1, {
        retryAfterMs: honoursRetryAfter && response.kind === 'response' ? parseRetryAfter(response.retryAfter, Date.now()) : undefined,
      });
      const final = delayMs === undefined || disabled;
      await ledger.finishAttempt(input.deliveryId, attempt, result, {
        final,
        nextAttemptAt: final ? null : new Date(Date.now() + delayMs).toISOString(),
      });
      log.info({ statusCode, error, nextRetryDelayMs: delayMs }, final ? 'delivery failed; no attempts left' : 'attempt failed');
      throw ApplicationFailure.create({
        message: error,
        type: FailureType.AttemptFailed,
        nonRetryable: final,
        nextRetryDelay: final ? undefined : delayMs,
        details: [{ attempt, statusCode }],
      });
    }
  };
}

/** A deferral, not an attempt: Temporal retries the activity after `delayMs`, the schedule is untouched. */
function throttled(reason: string, delayMs: number): ApplicationFailure {
  return ApplicationFailure.create({ message: reason, type: FailureType.Throttled, nextRetryDelay: delayMs });
}
