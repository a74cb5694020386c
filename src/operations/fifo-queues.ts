import { fifoQueueWorkflowId, queueWakeSignal, tenantPriority, WebhookSubscriptionId, type WorkflowTypes } from '../contract';
import { mapWithConcurrency } from '../core/concurrency';
import type { DeliveryStatus } from '../model';
import type { ServiceDeps } from './deps';
import { isTemporalUnavailable } from '../temporal/deadline';

const WAKE_CONCURRENCY = 10;

/**
 * Wakes the queue workflow of each FIFO subscription, starting it if it is not running. A
 * signal-with-start is one Action: the only one FIFO order adds per delivery.
 */
export async function wakeFifoQueues({ client, taskQueue, ledger }: ServiceDeps, subscriptionIds: string[]): Promise<void> {
  await mapWithConcurrency([...new Set(subscriptionIds)], WAKE_CONCURRENCY, async (subscriptionId) =>
    client.workflow.signalWithStart<WorkflowTypes['fifoQueueWorkflow'], []>('fifoQueueWorkflow', {
      taskQueue,
      workflowId: fifoQueueWorkflowId(subscriptionId),
      // The queue's own tasks count against its tenant's share (its deliveries carry it too).
      priority: tenantPriority((await ledger.subscriptions.get(subscriptionId))?.tenantId),
      args: [{ subscriptionId }],
      signal: queueWakeSignal,
      signalArgs: [],
      typedSearchAttributes: [{ key: WebhookSubscriptionId, value: subscriptionId }],
      staticSummary: `FIFO queue of ${subscriptionId}`,
    }),
  );
}

/**
 * Puts a FIFO subscription's delivery back in its queue (pending, owned by the queue workflow,
 * where it runs by its sequence number) and wakes the queue. Only if the delivery is still in
 * `from`; returns the status it had, or undefined. A wake lost to an unreachable Temporal is the
 * reconciler's to repeat: the delivery is queued either way.
 */
export async function requeueDelivery(
  deps: ServiceDeps,
  delivery: { id: string; subscriptionId: string },
  from: DeliveryStatus,
): Promise<DeliveryStatus | undefined> {
  const previous = await deps.ledger.deliveries.reopen(delivery.id, [from], fifoQueueWorkflowId(delivery.subscriptionId));
  if (!previous) return undefined;
  await wakeFifoQueues(deps, [delivery.subscriptionId]).catch((err: unknown) => {
    if (!isTemporalUnavailable(err)) throw err;
  });
  return previous;
}
