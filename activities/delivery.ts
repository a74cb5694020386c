import { ApplicationFailure } from '@temporalio/activity';
import { msToNumber } from '@temporalio/common/lib/time';
import type { DeliverResult, DeliveryWorkflowInput } from '../src/contract';
import { nextDelayMs, type ScheduleCursor } from '../src/delivery/schedule-cursor';
import { createDeliver } from './deliver';
import { httpTransport } from './deliver/transport';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

/** A delivery's activities: its attempts, the end of a confirmation wait, and ending it. */
export function createDeliveryActivities(deps: ActivityDeps) {
  const { ledger, logger } = deps;
  const deliver = createDeliver(deps, httpTransport(deps));
  return {
    /** One delivery's attempts (activities/deliver/), heartbeating while a slow receiver answers. */
    deliver: (input: Parameters<typeof deliver>[0]) => withHeartbeat(() => deliver(input)),

    deliverFirstAttempt: firstAttemptOnly(deliver),

    /** Ends a delivery that stopped without a final attempt: cancelled, or its last attempt was lost. */
    async endDelivery(input: { deliveryId: string; status: 'failed' | 'cancelled'; reason: string }) {
      await ledger.deliveries.end(input.deliveryId, input.status, input.reason);
      logger.info({ deliveryId: input.deliveryId, status: input.status }, 'delivery ended');
    },

    /**
     * The confirmation wait of `attempt` ran out. Records it as a failed attempt unless the
     * confirmation won the race, and says when the next attempt is due.
     */
    async settleConfirmationTimeout(input: {
      deliveryId: string;
      subscriptionId: string;
      attempt: number;
      /** The run's place in its schedule, the timed-out attempt included. */
      cursor?: ScheduleCursor;
      /** The same, as runs started before the cursor passed it. */
      retrySchedule?: number[];
      usedInRun?: number;
      timeoutMs: number;
    }): Promise<{ outcome: 'succeeded' | 'failed'; nextDelayMs: number | null }> {
      const cursor = input.cursor ?? { schedule: input.retrySchedule ?? [], used: input.usedInRun ?? 0 };
      const delayMs = nextDelayMs(cursor) ?? null;
      const outcome = await ledger.attempts.settleConfirmation(input.deliveryId, input.attempt, {
        confirmed: false,
        error: `not confirmed within ${input.timeoutMs} ms`,
        final: delayMs === null,
        nextAttemptAt: delayMs === null ? null : new Date(Date.now() + delayMs).toISOString(),
      });
      if (outcome.result === 'failed' && outcome.settledNow) {
        await ledger.endpointHealth.record(input.subscriptionId, false, deps.disableAfterMs);
      }
      logger.info({ deliveryId: input.deliveryId, attempt: input.attempt, outcome: outcome.result }, 'confirmation wait ended');
      return { outcome: outcome.result ?? 'failed', nextDelayMs: delayMs };
    },
  };
}

/**
 * A delivery's first attempt, run as a local activity: a success (the common case) then costs
 * the delivery workflow no activity task. A retryable failure comes back as the delay before the
 * next attempt, because a local activity's failure does not carry its nextRetryDelay to the
 * workflow; every other failure is thrown as the regular activity's would be.
 */
function firstAttemptOnly(deliver: (input: DeliveryWorkflowInput) => Promise<DeliverResult>) {
  return async (input: DeliveryWorkflowInput): Promise<DeliverResult | { retryInMs: number }> => {
    try {
      return await deliver(input);
    } catch (err) {
      if (err instanceof ApplicationFailure && !err.nonRetryable && err.nextRetryDelay !== undefined && err.nextRetryDelay !== null) {
        return { retryInMs: msToNumber(err.nextRetryDelay) };
      }
      throw err;
    }
  };
}
