import {
  CancellationScope,
  CancelledFailure,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { deliveryWorkflow } from './delivery';
import { deliveryStartOptions, type EventWorkflowResult, type FanOutShardInput } from './shared';

const { loadShardPage } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { maximumInterval: '1m' },
});

/**
 * The deliveries of one run of subscribers, (after, upTo]: started page by page, then awaited.
 * A shard holds at most the shard size of pending children, well below Temporal's limit.
 */
export async function fanOutShardWorkflow(input: FanOutShardInput): Promise<EventWorkflowResult> {
  const outcomes: Promise<'succeeded' | 'failed' | 'cancelled'>[] = [];
  let after = input.after;
  try {
    for (;;) {
      const page = await loadShardPage({ eventId: input.eventId, after, upTo: input.upTo });
      if (page.length === 0) break;
      for (const plan of page) {
        const child = executeChild(deliveryWorkflow, {
          ...deliveryStartOptions(input.eventId, input.eventType, plan, 0),
          // If this workflow is terminated, its deliveries still get to record their cancellation.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        });
        outcomes.push(
          child.then(
            () => 'succeeded' as const,
            (err) => (isCancellation(err) ? ('cancelled' as const) : ('failed' as const)),
          ),
        );
      }
      after = page[page.length - 1]!.subscriptionId;
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
  setCurrentDetails(`${outcomes.length} deliveries started`);

  const settled = await Promise.all(outcomes);
  // Waiting for every child first lets each one record its cancellation before this run ends.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('fan-out cancelled');
  const count = (o: string) => settled.filter((s) => s === o).length;
  return { deliveries: settled.length, succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') };
}
