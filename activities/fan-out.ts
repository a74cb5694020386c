import { Context } from '@temporalio/activity';
import { wakeFifoQueues } from '../src/operations/fifo-queues';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

export const DEFAULT_FAN_OUT_PAGE_SIZE = 100;
/**
 * Deliveries per shard workflow. A shard of 500 measured ~3.8k history events; 250 keeps each near
 * 2k, far from Temporal's continue-as-new suggestion, and 100,000 subscribers make 400 shards.
 */
export const DEFAULT_FAN_OUT_SHARD_SIZE = 250;

/** The fan-out's activities: recording an event's deliveries and loading them page by page. */
export function createFanOutActivities(deps: ActivityDeps) {
  const { ledger, logger } = deps;
  const pageSize = deps.fanOutPageSize ?? DEFAULT_FAN_OUT_PAGE_SIZE;
  const loadPage = async (eventId: string, range: { after: string | null; upTo: string }) => {
    const deliveries = await ledger.events.pendingDeliveryPlans(eventId, range, pageSize);
    // A short page is the last one: saves the workflow an activity (an Action) to find that out.
    return { deliveries, done: deliveries.length < pageSize };
  };
  return {
    /**
     * Writes a pending delivery for every matching subscription and splits them into shards. With
     * a single shard it also returns that shard's first page, which the event workflow runs itself.
     */
    async recordFanOut(input: { eventId: string; eventType: string }) {
      // The deliveries belong to this event workflow until it starts them (see the reconciler).
      const owner = Context.current().info.workflowExecution?.workflowId ?? 'unknown';
      const shardSize = deps.fanOutShardSize ?? DEFAULT_FAN_OUT_SHARD_SIZE;
      const { fifoSubscriptions, ...result } = await withHeartbeat((beat) => ledger.events.recordFanOut(input.eventId, shardSize, owner, beat));
      // FIFO deliveries are their queues' to start; waking them is idempotent, so a retry may repeat it.
      if (fifoSubscriptions.length > 0) {
        const { client, info } = Context.current();
        await wakeFifoQueues({ ledger, client, taskQueue: info.taskQueue }, fifoSubscriptions);
      }
      logger.info({ eventId: input.eventId, deliveries: result.deliveries, shards: result.shards.length }, 'event fanned out');
      const [only] = result.shards;
      const firstPage = result.shards.length === 1 && only ? await loadPage(input.eventId, only) : undefined;
      return { ...result, firstPage };
    },

    /** One page of a shard's deliveries still to start, with what each delivery workflow needs. */
    async loadShardPage(input: { eventId: string; after: string | null; upTo: string }) {
      return withHeartbeat(() => loadPage(input.eventId, input));
    },
  };
}
