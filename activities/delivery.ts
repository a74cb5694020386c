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

    /** Ends a delivery that stopped without a final attempt: cancelled, or its last attempt was lost. */
    async endDelivery(input: { deliveryId: string; status: 'failed' | 'cancelled'; reason: string }) {
      await ledger.endDelivery(input.deliveryId, input.status, input.reason);
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
      const outcome = await ledger.settleConfirmation(input.deliveryId, input.attempt, {
        confirmed: false,
        error: `not confirmed within ${input.timeoutMs} ms`,
        final: delayMs === null,
        nextAttemptAt: delayMs === null ? null : new Date(Date.now() + delayMs).toISOString(),
      });
      if (outcome.result === 'failed' && outcome.settledNow) {
        await ledger.recordEndpointHealth(input.subscriptionId, false, deps.disableAfterMs);
      }
      logger.info({ deliveryId: input.deliveryId, attempt: input.attempt, outcome: outcome.result }, 'confirmation wait ended');
      return { outcome: outcome.result ?? 'failed', nextDelayMs: delayMs };
    },
  };
}
