import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { deliveryStartOptions, deliveryWorkflowId, eventWorkflowId, type WorkflowTypes } from '../contract';
import { requeueDelivery } from './fifo-queues';
import { ConflictError, DependencyUnavailableError, NotFoundError } from '../model/errors';
import { isFinal, isRetryable } from '../delivery/status';
import type { Delivery } from '../model';
import type { ServiceDeps } from './deps';
import type { Ledger } from '../store/ledger';
import { isTemporalUnavailable } from '../temporal/deadline';

const RUN_CLOSE_WAIT_MS = 3_000;

type DeliveryTarget = NonNullable<Awaited<ReturnType<Ledger['deliveries']['target']>>>;

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Cancels one delivery that has not ended, wherever it is: sending, waiting between retries,
 * waiting for confirmation, or left half-started with no workflow at all. A running workflow
 * records `cancelled` itself as it stops; otherwise the ledger is the only place to end it.
 */
export async function cancelDelivery({ ledger, client }: ServiceDeps, deliveryId: string): Promise<Delivery> {
  const delivery = await ledger.deliveries.get(deliveryId);
  if (!delivery) throw new NotFoundError('delivery', deliveryId);
  if (isFinal(delivery.status)) throw new ConflictError(`Delivery ${deliveryId} has already ${delivery.status}.`);
  const workflowId = deliveryWorkflowId(delivery.eventId, delivery.subscriptionId);
  const cancelled = (await isRunning(client, workflowId)) && (await requestCancel(client, workflowId));
  if (!cancelled) await ledger.deliveries.end(deliveryId, 'cancelled', 'cancelled');
  return (await ledger.deliveries.get(deliveryId))!;
}

/** Asks a workflow to cancel; false if it has closed meanwhile. */
async function requestCancel(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).cancel();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Cancels every delivery of an event that has not ended, and the event workflow itself. */
export async function cancelEvent(deps: ServiceDeps, eventId: string): Promise<{ cancelling: number }> {
  const event = await deps.ledger.events.get(eventId);
  if (!event) throw new NotFoundError('event', eventId);
  // Before its fan-out: marked so that neither its workflow nor the reconciler fans it out later.
  await deps.ledger.recovery.cancelAcceptedEvent(eventId);
  // A closed or missing run takes the request harmlessly: no need to ask first.
  await requestCancel(deps.client, eventWorkflowId(eventId));
  // Re-runs started by a retry are not children of the event workflow, so each is told directly.
  const open = (await deps.ledger.deliveries.listForEvent(eventId)).filter((d) => !isFinal(d.status));
  await Promise.all(open.map((d) => cancelDelivery(deps, d.id).catch((err) => (err instanceof ConflictError ? undefined : Promise.reject(err)))));
  return { cancelling: open.length };
}

/** Why deliveries an expunge ended were cancelled, as their last error says. */
export const EXPUNGED_REASON = 'cancelled: the event payload was expunged';

/**
 * Expunges an event's payload (DELETE /v1/events/{id}/payload): the ledger removes it and ends
 * the open deliveries in one transaction, then their workflows are told to stop. A workflow that
 * misses the cancel finds the payload gone before its next attempt and ends there (prepare.ts).
 */
export async function expungeEventPayload(deps: ServiceDeps, eventId: string) {
  const event = await deps.ledger.events.get(eventId);
  if (!event) throw new NotFoundError('event', eventId);
  const ended = await deps.ledger.retention.expungePayload(eventId, EXPUNGED_REASON);
  await requestCancel(deps.client, eventWorkflowId(eventId)).catch(() => false);
  const deliveries = await deps.ledger.deliveries.listForEvent(eventId);
  const workflowIds = deliveries.filter((d) => ended.includes(d.id)).map((d) => deliveryWorkflowId(d.eventId, d.subscriptionId));
  // Best effort: the ledger has them ended already, and prepare.ts stops any attempt that follows.
  await Promise.all(workflowIds.map((id) => requestCancel(deps.client, id).catch(() => false)));
  const { targetSubscriptionId: _, ...shown } = (await deps.ledger.events.get(eventId))!;
  return { ...shown, data: null, deliveries };
}

/**
 * A delivery whose ledger status has just ended has a run that closes a moment later; a retry
 * that follows at once waits for that close. Returns whether a run is still open afterwards.
 */
async function runStillOpen(client: Client, workflowId: string, ledgerEnded: boolean): Promise<boolean> {
  if (!(await isRunning(client, workflowId))) return false;
  if (!ledgerEnded) return true;
  const handle = client.workflow.getHandle(workflowId);
  await client.connection.withDeadline(Date.now() + RUN_CLOSE_WAIT_MS, () => handle.result()).catch(() => undefined);
  return isRunning(client, workflowId);
}

/** Starts a new run of a delivery's workflow; false if one is already open. */
export async function startDeliveryRun({ client, taskQueue }: ServiceDeps, target: DeliveryTarget, attemptOffset: number): Promise<boolean> {
  const { delivery } = target;
  try {
    await client.workflow.start<WorkflowTypes['deliveryWorkflow']>('deliveryWorkflow', {
      ...deliveryStartOptions(delivery.eventId, target.eventType, target.prepared, attemptOffset),
      taskQueue,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * Runs a delivery that has not succeeded again, as a new run of the same workflow id: same
 * webhook-id, a fresh signature, attempt numbers continuing, the schedule from the start.
 * Refused while a run of it is still open (cancel that first). Once the ledger has it reopened
 * the retry is recorded: if Temporal goes away just then, the reconciler finishes the job.
 */
export async function retryDelivery(deps: ServiceDeps, deliveryId: string): Promise<Delivery> {
  const { ledger, client } = deps;
  const target = await ledger.deliveries.target(deliveryId);
  if (!target) throw new NotFoundError('delivery', deliveryId);
  const { delivery } = target;
  if (!isRetryable(delivery.status)) throw new ConflictError(`Delivery ${deliveryId} has already succeeded.`);
  if (!target.subscriptionActive) {
    throw new ConflictError(`The subscription of delivery ${deliveryId} is disabled or deleted; re-enable it first.`);
  }
  if (target.dataRemoved) throw new ConflictError(`The payload of delivery ${deliveryId}'s event was removed (retention or expunge); it cannot be sent again.`);
  const workflowId = deliveryWorkflowId(delivery.eventId, delivery.subscriptionId);
  if (await runStillOpen(client, workflowId, isFinal(delivery.status))) {
    throw new ConflictError(`Delivery ${deliveryId} is ${delivery.status} and its workflow is running; cancel it first.`);
  }
  // A FIFO subscription's delivery is retried through its queue, by its sequence number.
  const previous = target.fifo ? await requeueDelivery(deps, delivery, delivery.status) : await ledger.deliveries.reopen(deliveryId, [delivery.status]);
  if (!previous) throw new ConflictError(`Delivery ${deliveryId} changed meanwhile (another retry?); try again.`);
  if (target.fifo) return (await ledger.deliveries.get(deliveryId))!;
  let started: boolean;
  try {
    started = await startDeliveryRun(deps, target, delivery.attemptCount);
  } catch (err) {
    // A start that timed out may still have happened: the delivery stays pending, and the
    // reconciler starts it unless a run is there (the retry is accepted either way).
    if (isTemporalUnavailable(err)) return (await ledger.deliveries.get(deliveryId))!;
    await ledger.deliveries.restore(deliveryId, previous);
    throw new DependencyUnavailableError(`Temporal refused to start the retry of delivery ${deliveryId}.`);
  }
  if (!started) {
    await ledger.deliveries.restore(deliveryId, previous);
    throw new ConflictError(`Delivery ${deliveryId} is still running in Temporal; try again when it has stopped.`);
  }
  return (await ledger.deliveries.get(deliveryId))!;
}
