import { fifoQueueWorkflowId, queueWakeSignal, WebhookSubscriptionId, type WorkflowTypes } from './contract';
import { mapWithConcurrency } from './concurrency';
import type { ServiceDeps } from './service-deps';

const WAKE_CONCURRENCY = 10;

/**
 * Wakes the queue workflow of each FIFO subscription, starting it if it is not running. A
 * signal-with-start is one Action: the only one FIFO order adds per delivery.
 */
export async function wakeFifoQueues({ client, taskQueue }: ServiceDeps, subscriptionIds: string[]): Promise<void> {
  await mapWithConcurrency([...new Set(subscriptionIds)], WAKE_CONCURRENCY, (subscriptionId) =>
    client.workflow.signalWithStart<WorkflowTypes['fifoQueueWorkflow'], []>('fifoQueueWorkflow', {
      taskQueue,
      workflowId: fifoQueueWorkflowId(subscriptionId),
      args: [{ subscriptionId }],
      signal: queueWakeSignal,
      signalArgs: [],
      typedSearchAttributes: [{ key: WebhookSubscriptionId, value: subscriptionId }],
      staticSummary: `FIFO queue of ${subscriptionId}`,
    }),
  );
}
