import { CancellationScope, CancelledFailure, executeChild, isCancellation, ParentClosePolicy, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { deliveryWorkflow } from './delivery';
import {
  deliveryWorkflowId,
  type EventWorkflowInput,
  type EventWorkflowResult,
  WebhookEventId,
  WebhookEventType,
  WebhookSubscriptionId,
} from './shared';

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
    for (const d of page.deliveries) {
      const child = executeChild(deliveryWorkflow, {
        workflowId: deliveryWorkflowId(input.eventId, d.subscriptionId),
        args: [
          {
            deliveryId: d.deliveryId,
            eventId: input.eventId,
            eventType: input.eventType,
            subscriptionId: d.subscriptionId,
            retrySchedule: d.retrySchedule,
            timeoutMs: d.timeoutMs,
            attemptOffset: 0,
          },
        ],
        typedSearchAttributes: [
          { key: WebhookEventId, value: input.eventId },
          { key: WebhookEventType, value: input.eventType },
          { key: WebhookSubscriptionId, value: d.subscriptionId },
        ],
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

  const settled = await Promise.all(outcomes);
  // Waiting for every child first lets each one record its cancellation before this run ends.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('event cancelled');
  const count = (o: string) => settled.filter((s) => s === o).length;
  return { deliveries: settled.length, succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') };
}
