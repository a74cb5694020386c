import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { eventWorkflowId, tenantPriority, WebhookEventId, WebhookEventType, WebhookTenantId, type WorkflowTypes } from '../contract';

/**
 * Starts an event's workflow; false if a run of it is already open. `first` refuses an id that
 * has ever run (a dispatched event must not fan out again after Temporal's retention);
 * `again` is the reconciler's, for an event still `accepted` whose earlier run closed.
 */
export async function startEventWorkflow(
  { client, taskQueue }: { client: Client; taskQueue: string },
  event: { id: string; type: string; tenantId: string | null },
  mode: 'first' | 'again',
): Promise<boolean> {
  try {
    await client.workflow.start<WorkflowTypes['eventWorkflow']>('eventWorkflow', {
      taskQueue,
      workflowId: eventWorkflowId(event.id),
      args: [{ eventId: event.id, eventType: event.type, recordFanOutLocally: true }],
      workflowIdReusePolicy: mode === 'first' ? WorkflowIdReusePolicy.REJECT_DUPLICATE : WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      // A broadcast's own tasks carry the broadcast key; its deliveries, their tenants' keys.
      priority: tenantPriority(event.tenantId),
      typedSearchAttributes: [
        { key: WebhookEventId, value: event.id },
        { key: WebhookEventType, value: event.type },
        ...(event.tenantId === null ? [] : [{ key: WebhookTenantId, value: event.tenantId }]),
      ],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
