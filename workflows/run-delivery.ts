import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, isCancellation, ParentClosePolicy } from '@temporalio/workflow';
import { deliveryWorkflow } from './delivery';
import { type DeliveryPlan, deliveryStartOptions } from '../src/contract';

export type DeliveryOutcome = 'succeeded' | 'failed' | 'cancelled' | 'already_running';

/**
 * Runs one delivery as a child workflow and says how it ended. The child shares its parent's
 * cancellation, and a parent that is terminated still lets it record its cancellation.
 */
export function runDeliveryChild(eventId: string, eventType: string, plan: DeliveryPlan, attemptOffset: number): Promise<DeliveryOutcome> {
  return executeChild(deliveryWorkflow, {
    ...deliveryStartOptions(eventId, eventType, plan, attemptOffset),
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  }).then(
    () => 'succeeded' as const,
    (err: unknown) => {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already_running' as const;
      return isCancellation(err) ? ('cancelled' as const) : ('failed' as const);
    },
  );
}
