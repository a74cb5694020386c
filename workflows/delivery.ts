import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { type DeliverResult, type DeliveryWorkflowInput, FailureType } from './shared';

/** Time on top of the HTTP timeout for the ledger writes around an attempt. */
const ACTIVITY_SLACK_MS = 5_000;

/** Failures after which the activity has already written the delivery's final state. */
const RECORDED_BY_ACTIVITY: string[] = [
  FailureType.AttemptFailed,
  FailureType.EndpointGone,
  FailureType.SubscriptionInactive,
  FailureType.DeliveryEnded,
];

const { endDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/**
 * Delivers one event to one subscriber. The whole retry schedule is a single activity with
 * Temporal's retry policy: no timer per retry, so a delivery costs few Actions.
 */
export async function deliveryWorkflow(input: DeliveryWorkflowInput): Promise<DeliverResult> {
  const { deliver } = proxyActivities<Activities>({
    startToCloseTimeout: input.timeoutMs + ACTIVITY_SLACK_MS,
    retry: {
      maximumAttempts: input.retrySchedule.length,
      // Used only when an attempt is lost with its worker; failed attempts set nextRetryDelay.
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '5m',
      nonRetryableErrorTypes: [FailureType.EndpointGone, FailureType.SubscriptionInactive, FailureType.DeliveryEnded],
    },
  });

  try {
    return await deliver(input);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() =>
        endDelivery({ deliveryId: input.deliveryId, status: 'cancelled', reason: 'cancelled' }),
      );
      throw err;
    }
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const recorded = cause instanceof ApplicationFailure && RECORDED_BY_ACTIVITY.includes(cause.type ?? '');
    const reason = cause instanceof Error ? cause.message : 'delivery failed';
    if (!recorded) {
      await endDelivery({ deliveryId: input.deliveryId, status: 'failed', reason });
    }
    throw ApplicationFailure.nonRetryable(`delivery failed: ${reason}`, 'DeliveryFailed');
  }
}
