import { Context } from '@temporalio/activity';
import { fifoQueueWorkflowId } from '../src/contract';
import { type Filter, receives } from '../src/filters';
import { wakeFifoQueues } from '../src/operations/fifo-queues';
import type { PreparedDelivery } from '../src/store/ledger';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

/** Events scanned per replay page (matching ones are re-delivered). */
const REPLAY_SCAN_PAGE = 200;

/** The replay workflow's activity. */
export function createReplayActivities({ ledger }: ActivityDeps) {
  return {
    /**
     * One page of a replay: the subscription's events in the window, each with its delivery
     * created or reopened for the replay workflow to start. Deliveries still running are skipped.
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
      const subscription = await ledger.subscriptions.get(input.subscriptionId);
      if (!subscription) return { deliveries: [], skipped: 0, matched: 0, next: null };
      // A FIFO subscription's re-deliveries join its queue, in sequence order, instead of running side by side.
      const fifo = subscription.ordering === 'fifo';
      const owner = fifo ? fifoQueueWorkflowId(subscription.id) : (Context.current().info.workflowExecution?.workflowId ?? null);
      const events = await ledger.events.listInWindow(subscription, input.since, input.until, input.after, REPLAY_SCAN_PAGE);
      const receiver = { ...subscription, filter: subscription.filter as Filter | null };
      const matching = events.filter((e) => receives(receiver, e)).slice(0, input.remaining);
      const deliveries: (PreparedDelivery & { eventId: string; eventType: string; attemptOffset: number })[] = [];
      let queued = 0;
      await withHeartbeat(async (beat) => {
        for (const event of matching) {
          beat();
          const delivery = await ledger.deliveries.ensure(event, subscription, owner);
          const reopened =
            delivery.status === 'pending' && delivery.attemptCount === 0
              ? 'pending'
              : await ledger.deliveries.reopen(delivery.id, ['succeeded', 'failed', 'cancelled'], owner);
          if (reopened && fifo) queued++;
          const target = reopened && !fifo && (await ledger.deliveries.target(delivery.id));
          if (target) deliveries.push({ ...target.prepared, eventId: event.id, eventType: event.type, attemptOffset: delivery.attemptCount });
        }
      });
      if (queued > 0) {
        const { client, info } = Context.current();
        await wakeFifoQueues({ ledger, client, taskQueue: info.taskQueue }, [subscription.id]);
      }
      const last = events[events.length - 1];
      const done = events.length < REPLAY_SCAN_PAGE || matching.length >= input.remaining;
      return {
        deliveries,
        skipped: matching.length - deliveries.length - queued,
        matched: matching.length,
        next: done || !last ? null : { createdAt: last.createdAt, id: last.id },
      };
    },
  };
}
