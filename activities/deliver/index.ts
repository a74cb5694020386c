import { Context } from '@temporalio/activity';
import type { DeliverResult, DeliveryWorkflowInput } from '../../src/contract';
import { takeEndpointCapacity } from './limits';
import { prepareAttempt } from './prepare';
import { type RecordDeps, recordAttempt } from './record';
import type { WebhookTransport } from './transport';

/**
 * One HTTP attempt of one delivery, in phases: prepare (read the ledger, decide whether an
 * attempt is due) → take the endpoint's capacity → send (the transport) → judge and record the
 * answer. Temporal's activity retry drives the schedule: a failed attempt throws with
 * `nextRetryDelay` from the schedule, and the last one ends the delivery in the ledger itself.
 */
export function createDeliver(deps: RecordDeps, transport: WebhookTransport) {
  return async function deliver(input: DeliveryWorkflowInput): Promise<DeliverResult> {
    const prepared = await prepareAttempt(deps.ledger, input);
    if (!('cursor' in prepared)) return prepared;
    const context = Context.current();
    const info = context.info;
    const holder = `${info.workflowExecution?.workflowId ?? info.activityId}/${info.attempt}`;
    const release = await takeEndpointCapacity(deps.ledger, prepared.subscription, holder);
    try {
      await deps.ledger.startAttempt(input.deliveryId, prepared.attempt);
      const response = await transport.send({
        deliveryId: input.deliveryId,
        attempt: prepared.attempt,
        sequence: prepared.sequence,
        event: prepared.event,
        subscription: prepared.subscription,
        confirmationTimeoutMs: input.confirmationTimeoutMs,
        cancel: context.cancellationSignal,
      });
      // Cancelled in flight: the request was cut short, which says nothing about the endpoint's
      // health; the workflow records the cancellation (and closes this attempt as abandoned).
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      return await recordAttempt(deps, input, prepared, response);
    } finally {
      await release();
    }
  };
}
