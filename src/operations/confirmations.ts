import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { confirmSignal, deliveryWorkflowId } from '../contract';
import { verifyConfirmation } from '../security/confirmation-token';
import { ConflictError, ExpiredError, ForbiddenError } from '../model/errors';
import type { Logger } from '../core/logger';
import type { Ledger } from '../store/ledger';

/**
 * A receiver confirms an attempt through its webhook-confirm-url. The ledger settles the attempt
 * first (exactly once: a reused URL finds nothing left to settle), then the workflow is signalled
 * so it stops waiting. If the signal is lost, the workflow's timer finds the attempt settled.
 */
export async function confirmDelivery(deps: { ledger: Ledger; client: Client; key: Buffer; logger: Logger }, token: string) {
  const check = verifyConfirmation(token, deps.key, Date.now());
  if (!check.ok && check.reason === 'expired') throw new ExpiredError('This confirmation URL has expired.');
  if (!check.ok) throw new ForbiddenError('This confirmation URL is not valid.');
  const { deliveryId, attempt } = check.claim;

  const settled = await deps.ledger.attempts.settleConfirmation(deliveryId, attempt, { confirmed: true });
  if (!settled.settledNow) {
    if (settled.result === 'succeeded') throw new ConflictError(`Attempt ${attempt} of delivery ${deliveryId} was already confirmed.`);
    throw new ExpiredError(`Attempt ${attempt} of delivery ${deliveryId} is no longer awaiting confirmation.`);
  }
  const delivery = (await deps.ledger.deliveries.get(deliveryId))!;
  try {
    await deps.client.workflow.getHandle(deliveryWorkflowId(delivery.eventId, delivery.subscriptionId)).signal(confirmSignal, { attempt });
  } catch (err) {
    // The confirmation is recorded; the workflow's timer will find it settled. Tell the receiver it worked.
    if (!(err instanceof WorkflowNotFoundError)) {
      deps.logger.warn({ deliveryId, attempt, err: (err as Error).message }, 'confirmation recorded but the workflow was not signalled');
    }
  }
  return { deliveryId, attempt, status: delivery.status };
}
