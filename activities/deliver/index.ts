import { ApplicationFailure, Context } from '@temporalio/activity';
import { type DeliverResult, type DeliveryWorkflowInput, FailureType } from '../../src/contract';
import type { WebhookResponse } from '../../src/http/send-webhook';
import { firstAttemptLagSeconds, statusClassOf, type WorkerMetrics } from '../../src/metrics';
import { watchDeliveryEnd } from './ended-watch';
import { takeAttemptCapacity } from './limits';
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
    const release = await takeAttemptCapacity({ ledger: deps.ledger, subscription: prepared.subscription, holder, activityAttempt: info.attempt, metrics });
    const inFlight = metrics?.attemptInFlight();
    const ended = watchDeliveryEnd(deps.ledger, input.deliveryId);
    try {
      await deps.ledger.attempts.start(input.deliveryId, prepared.attempt);
      if (metrics) observeStart(metrics, prepared);
      const response = await transport.send({
        deliveryId: input.deliveryId,
        attempt: prepared.attempt,
        sequence: prepared.sequence,
        event: prepared.event,
        subscription: prepared.subscription,
        confirmationTimeoutMs: input.confirmationTimeoutMs,
        cancel: AbortSignal.any([context.cancellationSignal, ended.signal]),
      });
      inFlight?.();
      const cutShort = context.cancellationSignal.aborted || ended.signal.aborted;
      if (metrics) observeAnswer(metrics, response, cutShort);
      // Cancelled in flight: the request was cut short, which says nothing about the endpoint's
      // health; the workflow records the cancellation (and closes this attempt as abandoned).
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      if (ended.signal.aborted) throw ApplicationFailure.nonRetryable(String(ended.signal.reason), FailureType.DeliveryEnded);
      return await recordAttempt(deps, input, prepared, response);
    } finally {
      ended.stop();
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
