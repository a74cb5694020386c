import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { deliveryWorkflow } from '../workflows';
import { deliveryStartOptions, deliveryWorkflowId, eventWorkflowId } from '../workflows/shared';
import { ConflictError, DependencyUnavailableError, NotFoundError } from './errors';
import type { Delivery, DeliveryStatus } from './model';
import type { ServiceDeps } from './service-deps';

const RUN_CLOSE_WAIT_MS = 10_000;
const ENDED: DeliveryStatus[] = ['succeeded', 'failed', 'cancelled'];
const RETRYABLE: DeliveryStatus[] = ['failed', 'cancelled'];

/** Asks a workflow to cancel; false if it has already closed or never existed. */
async function requestCancel(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).cancel();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Cancels one delivery that has not ended, wherever it is: sending, waiting between retries or
 * waiting for confirmation. The workflow records `cancelled` in the ledger as it stops.
 */
export async function cancelDelivery({ ledger, client }: ServiceDeps, deliveryId: string): Promise<Delivery> {
  const delivery = await ledger.getDelivery(deliveryId);
  if (!delivery) throw new NotFoundError('delivery', deliveryId);
  if (ENDED.includes(delivery.status)) throw new ConflictError(`Delivery ${deliveryId} has already ${delivery.status}.`);
  const running = await requestCancel(client, deliveryWorkflowId(delivery.eventId, delivery.subscriptionId));
  // No workflow to tell (it never started): the ledger is the only place to end it.
  if (!running) await ledger.endDelivery(deliveryId, 'cancelled', 'cancelled');
  return delivery;
}

/** Cancels every delivery of an event that has not ended, and the event workflow itself. */
export async function cancelEvent(deps: ServiceDeps, eventId: string): Promise<{ cancelling: number }> {
  const event = await deps.ledger.getEvent(eventId);
  if (!event) throw new NotFoundError('event', eventId);
  await requestCancel(deps.client, eventWorkflowId(eventId));
  // Re-runs started by a retry are not children of the event workflow, so each is told directly.
  const open = (await deps.ledger.listEventDeliveries(eventId)).filter((d) => !ENDED.includes(d.status));
  await Promise.all(open.map((d) => cancelDelivery(deps, d.id).catch((err) => (err instanceof ConflictError ? undefined : Promise.reject(err)))));
  return { cancelling: open.length };
}

/**
 * The ledger records a delivery's end from inside its workflow, a moment before the run closes;
 * a retry that follows at once waits for that close rather than failing.
 */
async function awaitRunClosed(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return;
    throw err;
  }
  await client.connection.withDeadline(Date.now() + RUN_CLOSE_WAIT_MS, () => handle.result()).catch(() => undefined);
}

/**
 * Runs a failed or cancelled delivery again as a new run of the same workflow id: same
 * webhook-id, a fresh signature, attempt numbers continuing, the schedule from the start.
 */
export async function retryDelivery({ ledger, client, taskQueue }: ServiceDeps, deliveryId: string): Promise<Delivery> {
  const target = await ledger.deliveryTarget(deliveryId);
  if (!target) throw new NotFoundError('delivery', deliveryId);
  const { delivery } = target;
  if (!RETRYABLE.includes(delivery.status)) {
    throw new ConflictError(`Delivery ${deliveryId} is ${delivery.status}; only failed or cancelled deliveries can be retried.`);
  }
  if (!target.subscriptionActive) {
    throw new ConflictError(`The subscription of delivery ${deliveryId} is disabled or deleted; re-enable it first.`);
  }
  const previous = await ledger.reopenDelivery(deliveryId, RETRYABLE);
  if (!previous) throw new ConflictError(`Delivery ${deliveryId} is already being retried.`);
  try {
    await awaitRunClosed(client, deliveryWorkflowId(delivery.eventId, delivery.subscriptionId));
    await client.workflow.start<typeof deliveryWorkflow>('deliveryWorkflow', {
      ...deliveryStartOptions(delivery.eventId, target.eventType, target.prepared, delivery.attemptCount),
      taskQueue,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  } catch (err) {
    await ledger.restoreDelivery(deliveryId, previous);
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ConflictError(`Delivery ${deliveryId} is still running in Temporal; try again when it has stopped.`);
    }
    throw new DependencyUnavailableError(`Temporal did not start the retry: ${(err as Error).message}`);
  }
  return (await ledger.getDelivery(deliveryId))!;
}

export interface BulkRetryFilter {
  subscriptionId?: string;
  eventId?: string;
  status: 'failed' | 'cancelled';
  since?: string;
  until?: string;
  limit: number;
}

/** Retries up to `limit` matching deliveries; reports what it started and what it skipped and why. */
export async function retryDeliveries(deps: ServiceDeps, filter: BulkRetryFilter) {
  const matching = await deps.ledger.findDeliveries({ ...filter, statuses: [filter.status] });
  const started: string[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const d of matching) {
    try {
      await retryDelivery(deps, d.id);
      started.push(d.id);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      skipped.push({ id: d.id, reason: err.message });
    }
  }
  return { matched: matching.length, started: started.length, deliveryIds: started, skipped };
}
