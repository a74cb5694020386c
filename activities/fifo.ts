import type { QueuedDelivery } from '../src/contract';
import type { ActivityDeps } from './deps';

/** The FIFO queue workflow's activity. */
export function createFifoActivities({ ledger, logger }: ActivityDeps) {
  return {
    /**
     * The next deliveries of a FIFO subscription's queue, lowest sequence first. A subscription
     * that is disabled or deleted drains its queue: what waits in it is cancelled.
     */
    async loadQueuePage(input: { subscriptionId: string; limit: number }): Promise<QueuedDelivery[]> {
      const subscription = await ledger.subscriptions.get(input.subscriptionId);
      if (!subscription || subscription.status !== 'active') {
        const reason = subscription ? `subscription disabled: ${subscription.disabledReason ?? ''}` : 'subscription deleted';
        const drained = await ledger.fifo.drainQueue(input.subscriptionId, reason);
        if (drained > 0) logger.info({ subscriptionId: input.subscriptionId, drained }, 'FIFO queue drained');
        return [];
      }
      return ledger.fifo.loadQueue(input.subscriptionId, input.limit);
    },
  };
}
