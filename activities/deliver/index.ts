import { Context } from '@temporalio/activity';
import type { DeliverResult, DeliveryWorkflowInput } from '../../src/contract';
import type { WebhookResponse } from '../../src/http/send-webhook';
import { firstAttemptLagSeconds, statusClassOf, type WorkerMetrics } from '../../src/metrics';
import { takeEndpointCapacity } from './limits';
import type { PreparedAttempt } from './prepare';
import { prepareAttempt } from './prepare';
import { type RecordDeps, recordAttempt } from './record';
import type { WebhookTransport } from './transport';

/**
 * One HTTP attempt of one delivery, in phases: prepare (read the ledger, decide whether an
 * attempt is due) → take the endpoint's capacity → send (the transport) → judge and record the
 * answer. Temporal's activity retry drives the schedule: a failed attempt throws with
 * `nextRetryDelay` from the schedule, and the last one ends the delivery in the ledger itself.
 */
export function createDeliver(deps: RecordDeps & { metrics?: WorkerMetrics }, transport: WebhookTransport) {
  const { metrics } = deps;
  return async function deliver(input: DeliveryWorkflowInput): Promise<DeliverResult> {
    const prepared = await prepareAttempt(deps.ledger, input);
    if (!('cursor' in prepared)) return prepared;
    const context = Context.current();
    const info = context.info;
    const holder = `${info.workflowExecution?.workflowId ?? info.activityId}/${info.attempt}`;
    const release = await takeEndpointCapacity(deps.ledger, prepared.subscription, holder, metrics);
    const inFlight = metrics?.attemptInFlight();
    try {
      await deps.ledger.startAttempt(input.deliveryId, prepared.attempt);
      if (metrics) observeStart(metrics, prepared);
      const response = await transport.send({
        deliveryId: input.deliveryId,
        attempt: prepared.attempt,
        sequence: prepared.sequence,
        event: prepared.event,
        subscription: prepared.subscription,
        confirmationTimeoutMs: input.confirmationTimeoutMs,
        cancel: context.cancellationSignal,
      });
      inFlight?.();
      if (metrics) observeAnswer(metrics, response, context.cancellationSignal.aborted);
      // Cancelled in flight: the request was cut short, which says nothing about the endpoint's
      // health; the workflow records the cancellation (and closes this attempt as abandoned).
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      return await recordAttempt(deps, input, prepared, response);
    } finally {
      inFlight?.();
      await release();
    }
  };
}

/** The first attempt's start closes the accept-to-first-attempt lag. */
function observeStart(metrics: WorkerMetrics, prepared: PreparedAttempt): void {
  const lag = firstAttemptLagSeconds({
    attempt: prepared.attempt,
    eventAcceptedAt: prepared.event.createdAt,
    subscriptionCreatedAt: prepared.subscription.createdAt,
    startedAt: Date.now(),
  });
  if (lag !== undefined) metrics.firstAttemptLag(lag);
}

function observeAnswer(metrics: WorkerMetrics, response: WebhookResponse, cancelled: boolean): void {
  metrics.attemptFinished(statusClassOf(response, cancelled), response.durationMs / 1000);
}
