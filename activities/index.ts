import { Context } from '@temporalio/activity';
import { nextDelayMs, type ScheduleCursor } from '../src/delivery/schedule-cursor';
import { createDeliver } from './deliver';
import { httpTransport } from './deliver/transport';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';
import { createJobActivities } from './jobs';

export type { ActivityDeps } from './deps';

export const DEFAULT_FAN_OUT_PAGE_SIZE = 100;
/**
 * Deliveries per shard workflow. A shard of 500 measured ~3.8k history events; 250 keeps each near
 * 2k, far from Temporal's continue-as-new suggestion, and 100,000 subscribers make 400 shards.
 */
export const DEFAULT_FAN_OUT_SHARD_SIZE = 250;

/** Builds the worker's activities around their dependencies, as the samples do. */
export function createActivities(deps: ActivityDeps) {
  const { ledger, logger } = deps;
  const pageSize = deps.fanOutPageSize ?? DEFAULT_FAN_OUT_PAGE_SIZE;
  const loadPage = async (eventId: string, range: { after: string | null; upTo: string }) => {
    const deliveries = await ledger.pendingDeliveryPlans(eventId, range, pageSize);
    // A short page is the last one: saves the workflow an activity (an Action) to find that out.
    return { deliveries, done: deliveries.length < pageSize };
  };
  const deliver = createDeliver(deps, httpTransport(deps));
  return {
    /** One delivery's attempts (activities/deliver.ts), heartbeating while a slow receiver answers. */
    deliver: (input: Parameters<typeof deliver>[0]) => withHeartbeat(() => deliver(input)),

    /**
     * Writes a pending delivery for every matching subscription and splits them into shards. With
     * a single shard it also returns that shard's first page, which the event workflow runs itself.
     */
    async recordFanOut(input: { eventId: string; eventType: string }) {
      // The deliveries belong to this event workflow until it starts them (see the reconciler).
      const owner = Context.current().info.workflowExecution?.workflowId ?? 'unknown';
      const shardSize = deps.fanOutShardSize ?? DEFAULT_FAN_OUT_SHARD_SIZE;
      const result = await withHeartbeat((beat) => ledger.recordFanOut(input.eventId, input.eventType, shardSize, owner, beat));
      logger.info({ eventId: input.eventId, deliveries: result.deliveries, shards: result.shards.length }, 'event fanned out');
      const [only] = result.shards;
      const firstPage = result.shards.length === 1 && only ? await loadPage(input.eventId, only) : undefined;
      return { ...result, firstPage };
    },

    /** One page of a shard's deliveries still to start, with what each delivery workflow needs. */
    async loadShardPage(input: { eventId: string; after: string | null; upTo: string }) {
      return withHeartbeat(() => loadPage(input.eventId, input));
    },

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

    ...createJobActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
