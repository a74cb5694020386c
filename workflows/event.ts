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
import { deliveryStartOptions, type EventWorkflowInput, type EventWorkflowResult } from './shared';

const { prepareDeliveries } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { maximumInterval: '1m' },
});

/**
 * One event: finds its subscribers page by page and runs a delivery workflow for each.
 * Cancelling it cancels every delivery (children share its cancellation scope).
 */
export async function eventWorkflow(input: EventWorkflowInput): Promise<EventWorkflowResult> {
  const outcomes: Promise<'succeeded' | 'failed' | 'cancelled'>[] = [];
  let after: string | undefined;
  do {
    const page = await prepareDeliveries({ eventId: input.eventId, eventType: input.eventType, after });
    for (const plan of page.deliveries) {
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
    after = page.nextCursor ?? undefined;
  } while (after);
  setCurrentDetails(`${outcomes.length} deliveries started`);

  const settled = await Promise.all(outcomes);
  // Waiting for every child first lets each one record its cancellation before this run ends.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('event cancelled');
  const count = (o: string) => settled.filter((s) => s === o).length;
  const result = { deliveries: settled.length, succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') };
  setCurrentDetails(`${result.succeeded} succeeded, ${result.failed} failed, ${result.cancelled} cancelled`);
  return result;
}
