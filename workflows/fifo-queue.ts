import { CancellationScope, continueAsNew, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { type FifoQueueInput, type FifoQueueResult, queueWakeSignal } from '../src/contract';
import { runDeliveryChild } from './run-delivery';

const { loadQueuePage } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumInterval: '1m' } });

/** Deliveries loaded per activity call: the queue costs one Action per page, not per delivery. */
const QUEUE_PAGE = 50;
/** Pages before continuing as new, which keeps the history near 2k events. */
const PAGES_PER_RUN = 10;

/**
 * A FIFO subscription's queue: runs its deliveries as children, one at a time, lowest sequence
 * first; the next starts only when the previous one has ended (succeeded, failed or cancelled), so
 * a failing endpoint holds its queue. Woken by `wake` (signal-with-start) when deliveries join; it
 * ends when the queue is empty and no wake came meanwhile.
 */
export async function fifoQueueWorkflow(input: FifoQueueInput): Promise<FifoQueueResult> {
  let woken = false;
  setHandler(queueWakeSignal, () => {
    woken = true;
  });
  let delivered = input.delivered ?? 0;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    woken = false;
    const queued = await loadQueuePage({ subscriptionId: input.subscriptionId, limit: QUEUE_PAGE });
    if (queued.length === 0) {
      if (woken) continue;
      return { delivered };
    }
    for (const delivery of queued) {
      setCurrentDetails(`delivering #${delivery.sequence ?? '?'} (${delivered} delivered by this queue)`);
      // Its end, whatever it is, lets the queue move on; only the queue's own cancellation stops it.
      const outcome = await runDeliveryChild(delivery.eventId, delivery.eventType, delivery, delivery.attemptOffset);
      if (outcome === 'cancelled' && CancellationScope.current().consideredCancelled) return { delivered };
      delivered++;
      // A failure may mean the endpoint is gone or disabled: reading the queue again drains it then.
      if (outcome === 'failed') break;
    }
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return continueAsNew<typeof fifoQueueWorkflow>({ ...input, delivered });
}
