import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { eventWorkflow } from '../workflows';
import { eventWorkflowId, WebhookEventId, WebhookEventType } from '../workflows/shared';
import { DependencyUnavailableError } from './errors';
import { newId } from './ids';
import type { CreateEventInput } from './model';
import type { ServiceDeps } from './service-deps';
import type { StoredEvent } from './store/ledger';

/**
 * Records an event and starts its workflow, idempotently on the event id: the ledger row is
 * written first (so nothing is lost if Temporal is briefly away: a repeat post finishes the job)
 * and the workflow id is the event id, so at most one workflow ever runs for it.
 */
export async function publishEvent(
  { ledger, client, taskQueue }: ServiceDeps,
  input: CreateEventInput,
): Promise<{ event: StoredEvent; created: boolean }> {
  const { event, created } = await ledger.insertEvent({ id: input.id ?? newId.event(), type: input.type, data: input.data });
  // A dispatched event's workflow has run; starting again after Temporal's retention could re-deliver.
  if (event.status === 'accepted') {
    try {
      await client.workflow.start<typeof eventWorkflow>('eventWorkflow', {
        taskQueue,
        workflowId: eventWorkflowId(event.id),
        args: [{ eventId: event.id, eventType: event.type }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: WebhookEventId, value: event.id },
          { key: WebhookEventType, value: event.type },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { event, created };
      // The event is recorded; posting it again with the same id finishes the job.
      throw new DependencyUnavailableError(
        `Event ${event.id} is recorded but Temporal did not accept its workflow (${(err as Error).message}); post it again with the same id.`,
      );
    }
  }
  return { event, created };
}
