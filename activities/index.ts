import { matchesPattern } from '../src/event-types';
import { nextRetryDelayMs } from '../src/retry-schedule';
import type { PreparedDelivery } from '../src/store/ledger';
import { createDeliver } from './deliver';
import type { ActivityDeps } from './deps';

export type { ActivityDeps } from './deps';

export const DEFAULT_FAN_OUT_PAGE_SIZE = 100;
/**
 * Deliveries per shard workflow. A shard of 500 measured ~3.8k history events; 250 keeps each near
 * 2k, far from Temporal's continue-as-new suggestion, and 100,000 subscribers make 400 shards.
 */
export const DEFAULT_FAN_OUT_SHARD_SIZE = 250;
/** Events scanned per replay page (matching ones are re-delivered). */
const REPLAY_SCAN_PAGE = 200;

/** Builds the worker's activities around their dependencies, as the samples do. */
export function createActivities(deps: ActivityDeps) {
  const { ledger, logger } = deps;
  const pageSize = deps.fanOutPageSize ?? DEFAULT_FAN_OUT_PAGE_SIZE;
  const loadPage = async (eventId: string, range: { after: string | null; upTo: string }) => {
    const deliveries = await ledger.pendingDeliveryPlans(eventId, range, pageSize);
    // A short page is the last one: saves the workflow an activity (an Action) to find that out.
    return { deliveries, done: deliveries.length < pageSize };
  };
  return {
    deliver: createDeliver(deps),

    /**
     * Writes a pending delivery for every matching subscription and splits them into shards. With
     * a single shard it also returns that shard's first page, which the event workflow runs itself.
     */
    async recordFanOut(input: { eventId: string; eventType: string }) {
      const result = await ledger.recordFanOut(input.eventId, input.eventType, deps.fanOutShardSize ?? DEFAULT_FAN_OUT_SHARD_SIZE);
      logger.info({ eventId: input.eventId, deliveries: result.deliveries, shards: result.shards.length }, 'event fanned out');
      const [only] = result.shards;
      const firstPage = result.shards.length === 1 && only ? await loadPage(input.eventId, only) : undefined;
      return { ...result, firstPage };
    },

    /** One page of a shard's deliveries still to start, with what each delivery workflow needs. */
    async loadShardPage(input: { eventId: string; after: string | null; upTo: string }) {
      return loadPage(input.eventId, input);
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
      retrySchedule: number[];
      /** Attempts this run has used, the timed-out one included. */
      usedInRun: number;
      timeoutMs: number;
    }): Promise<{ outcome: 'succeeded' | 'failed'; nextDelayMs: number | null }> {
      const delay = nextRetryDelayMs(input.retrySchedule, input.usedInRun);
      const nextDelayMs = delay ?? null;
      const outcome = await ledger.settleConfirmation(input.deliveryId, input.attempt, {
        confirmed: false,
        error: `not confirmed within ${input.timeoutMs} ms`,
        final: nextDelayMs === null,
        nextAttemptAt: nextDelayMs === null ? null : new Date(Date.now() + nextDelayMs).toISOString(),
      });
      if (outcome.result === 'failed' && outcome.settledNow) {
        await ledger.recordEndpointHealth(input.subscriptionId, false, deps.disableAfterMs);
      }
      logger.info({ deliveryId: input.deliveryId, attempt: input.attempt, outcome: outcome.result }, 'confirmation wait ended');
      return { outcome: outcome.result ?? 'failed', nextDelayMs };
    },

    /**
     * One page of a replay: the subscription's events in the window, each with its delivery
     * created or reopened. Deliveries still running are skipped, not disturbed.
     */
    async prepareReplayPage(input: {
      subscriptionId: string;
      since: string;
      until: string;
      after?: { createdAt: string; id: string };
      remaining: number;
    }): Promise<{
      deliveries: (PreparedDelivery & { eventId: string; eventType: string; attemptOffset: number })[];
      skipped: number;
      matched: number;
      next: { createdAt: string; id: string } | null;
    }> {
      const subscription = await ledger.getSubscription(input.subscriptionId);
      if (!subscription) return { deliveries: [], skipped: 0, matched: 0, next: null };
      const events = await ledger.listEventsInWindow(input.since, input.until, input.after, REPLAY_SCAN_PAGE);
      const matching = events
        .filter((e) => subscription.eventTypes.some((p) => matchesPattern(p, e.type)))
        .slice(0, input.remaining);
      const deliveries = [];
      let skipped = 0;
      for (const event of matching) {
        const delivery = await ledger.ensureDelivery(event.id, input.subscriptionId);
        const reopened =
          delivery.status === 'pending' && delivery.attemptCount === 0
            ? 'pending'
            : await ledger.reopenDelivery(delivery.id, ['succeeded', 'failed', 'cancelled']);
        const target = reopened && (await ledger.deliveryTarget(delivery.id));
        if (!target) {
          skipped++;
          continue;
        }
        deliveries.push({ ...target.prepared, eventId: event.id, eventType: event.type, attemptOffset: delivery.attemptCount });
      }
      const last = events[events.length - 1];
      const done = events.length < REPLAY_SCAN_PAGE || matching.length >= input.remaining;
      return {
        deliveries,
        skipped,
        matched: matching.length,
        next: done || !last ? null : { createdAt: last.createdAt, id: last.id },
      };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
