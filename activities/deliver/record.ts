import { ApplicationFailure } from '@temporalio/activity';
import { type Answer, judgeAttempt, type Verdict } from '../../src/delivery/outcome';
import type { WebhookResponse } from '../../src/http/send-webhook';
import type { Logger } from '../../src/core/logger';
import type { AttemptResult, Ledger } from '../../src/store/ledger';
import { type DeliverResult, type DeliveryWorkflowInput, FailureType } from '../../src/contract';
import type { PreparedAttempt } from './prepare';

export interface RecordDeps {
  ledger: Ledger;
  logger: Logger;
  disableAfterMs: number;
}

const answerOf = (r: WebhookResponse): Answer =>
  r.kind === 'response' ? { kind: 'response', statusCode: r.statusCode, retryAfter: r.retryAfter } : { kind: 'error' };

/**
 * Judges the receiver's answer (src/delivery/outcome.ts) and records it: the attempt, the
 * delivery's new state and the endpoint's health. Returns the workflow's result for a 2xx; any
 * other verdict throws the failure that tells Temporal whether and when to try again.
 */
export async function recordAttempt(deps: RecordDeps, input: DeliveryWorkflowInput, prepared: PreparedAttempt, response: WebhookResponse): Promise<DeliverResult> {
  const { ledger } = deps;
  const log = deps.logger.child({ eventId: input.eventId, deliveryId: input.deliveryId, attempt: prepared.attempt });
  const answer = answerOf(response);
  const ok = answer.kind === 'response' && answer.statusCode >= 200 && answer.statusCode < 300;
  // A success to a healthy endpoint has no streak to clear: skip that write on the hot path.
  const disabled = ok && prepared.subscription.failingSince === null ? false : await ledger.endpointHealth.record(input.subscriptionId, ok, deps.disableAfterMs);
  if (disabled) log.warn({ subscriptionId: input.subscriptionId }, 'subscription disabled: failing for too long');
  const verdict = judgeAttempt(answer, {
    cursor: prepared.cursor,
    confirmationRequired: input.confirmationTimeoutMs !== null,
    endpointDisabled: disabled,
    now: Date.now(),
  });
  const finish = (result: AttemptResult, next: { final: boolean; nextAttemptAt?: string | null }) =>
    ledger.attempts.finish(input.deliveryId, prepared.attempt, result, next);

  if (verdict.outcome === 'succeeded' || verdict.outcome === 'awaiting_confirmation') {
    const awaitingConfirmation = verdict.outcome === 'awaiting_confirmation';
    const { statusCode, durationMs, body } = response as Extract<WebhookResponse, { kind: 'response' }>;
    await finish({ outcome: verdict.outcome, durationMs, statusCode, error: null, responseBody: body }, { final: !awaitingConfirmation });
    log.info({ statusCode, durationMs }, awaitingConfirmation ? 'awaiting confirmation' : 'delivery succeeded');
    return { attempt: prepared.attempt, statusCode, durationMs, ...(awaitingConfirmation && { awaitingConfirmation }) };
  }
  return recordFailure(deps, input.subscriptionId, prepared.attempt, response, verdict, finish, log);
}

async function recordFailure(
  deps: RecordDeps,
  subscriptionId: string,
  attempt: number,
  response: WebhookResponse,
  verdict: Exclude<Verdict, { outcome: 'succeeded' | 'awaiting_confirmation' }>,
  finish: (result: AttemptResult, next: { final: boolean; nextAttemptAt?: string | null }) => Promise<void>,
  log: Logger,
): Promise<never> {
  const statusCode = response.kind === 'response' ? response.statusCode : null;
  const error = response.kind === 'response' ? `receiver answered ${response.statusCode}` : response.error;
  const result: AttemptResult = {
    outcome: 'failed',
    durationMs: response.durationMs,
    statusCode,
    error,
    responseBody: response.kind === 'response' ? response.body : null,
  };
  if (verdict.outcome === 'gone') {
    // Disabled first: whoever sees the delivery failed sees its endpoint disabled too. A crash in
    // between leaves the attempt open, and its retry ends it in prepare (subscription disabled).
    await deps.ledger.subscriptions.disable(subscriptionId, 'endpoint answered 410 Gone');
    await finish(result, { final: true });
    log.warn({ statusCode }, 'endpoint gone; subscription disabled');
    throw ApplicationFailure.nonRetryable(error, FailureType.EndpointGone);
  }
  const retry = verdict.outcome === 'retry' ? verdict.delayMs : undefined;
  await finish(result, { final: retry === undefined, nextAttemptAt: retry === undefined ? null : new Date(Date.now() + retry).toISOString() });
  log.info({ statusCode, error, nextRetryDelayMs: retry }, retry === undefined ? 'delivery failed; no attempts left' : 'attempt failed');
  throw ApplicationFailure.create({
    message: error,
    type: FailureType.AttemptFailed,
    nonRetryable: retry === undefined,
    nextRetryDelay: retry,
    details: [{ attempt, statusCode }],
  });
}
