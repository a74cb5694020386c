import { ApplicationFailure } from '@temporalio/activity';
import type { ScheduleCursor } from '../../src/delivery/schedule-cursor';
import type { Ledger, StoredEvent, SubscriptionTarget } from '../../src/store/ledger';
import { type DeliverResult, type DeliveryWorkflowInput, FailureType } from '../../src/contract';

/** Everything an attempt needs, read from the ledger as it is now. */
export interface PreparedAttempt {
  attempt: number;
  sequence: number;
  /** The position this attempt takes in the schedule the activity was given. */
  cursor: ScheduleCursor;
  event: StoredEvent;
  subscription: SubscriptionTarget;
}

/**
 * Reads the delivery, its event and its (live) subscription and decides whether an attempt is
 * due. A delivery that is already settled comes back as its result, or throws the failure that
 * ends the workflow; only a delivery that should be attempted yields a PreparedAttempt.
 */
export async function prepareAttempt(ledger: Ledger, input: DeliveryWorkflowInput): Promise<PreparedAttempt | DeliverResult> {
  const [delivery, event, subscription] = await Promise.all([
    ledger.deliveries.get(input.deliveryId),
    ledger.events.get(input.eventId),
    ledger.subscriptions.target(input.subscriptionId),
  ]);
  if (!delivery || !event) {
    throw ApplicationFailure.nonRetryable(`delivery ${input.deliveryId} is not in the ledger`, FailureType.DeliveryEnded);
  }
  // Attempt numbers come from the ledger, not from Temporal's attempt counter, so retries that
  // were only deferred by the endpoint's limits do not use up the schedule.
  const attempt = Math.max(delivery.attemptCount, input.attemptOffset) + 1;
  const cursor = { schedule: input.retrySchedule, used: attempt - input.attemptOffset };
  // A retry after a crash that followed a recorded success must not send or count again.
  if (delivery.status === 'succeeded') return recordedSuccess(ledger, input.deliveryId, attempt);
  if (delivery.status === 'failed' || delivery.status === 'cancelled') {
    throw ApplicationFailure.nonRetryable(`delivery already ${delivery.status}`, FailureType.DeliveryEnded);
  }
  if (event.dataRemovedAt !== null) {
    // Expunged (or past retention) while this delivery waited: there is nothing left to send.
    const reason = `payload ${event.dataRemovedReason ?? 'removed'}: not sent`;
    await ledger.deliveries.end(input.deliveryId, 'cancelled', reason);
    throw ApplicationFailure.nonRetryable(reason, FailureType.DeliveryEnded);
  }
  if (!subscription || subscription.status !== 'active') {
    const reason = subscription ? `subscription disabled: ${subscription.disabledReason ?? ''}` : 'subscription deleted';
    await ledger.deliveries.end(input.deliveryId, 'failed', reason);
    throw ApplicationFailure.nonRetryable(reason, FailureType.SubscriptionInactive);
  }
  if (cursor.used > cursor.schedule.length) {
    // Only reachable when attempts were lost with their workers: nothing left to try.
    const reason = delivery.lastError ?? 'every attempt of the schedule was lost';
    await ledger.deliveries.end(input.deliveryId, 'failed', reason);
    throw ApplicationFailure.nonRetryable(reason, FailureType.AttemptFailed);
  }
  return { attempt, sequence: delivery.sequence, cursor, event, subscription };
}

async function recordedSuccess(ledger: Ledger, deliveryId: string, attempt: number): Promise<DeliverResult> {
  const success = (await ledger.attempts.list(deliveryId)).find((a) => a.outcome === 'succeeded');
  return { attempt: success?.number ?? attempt - 1, statusCode: success?.statusCode ?? 200, durationMs: success?.durationMs ?? 0 };
}
