import { ApplicationFailure } from '@temporalio/activity';
import type { Ledger, SubscriptionTarget } from '../../src/store/ledger';
import { FailureType } from '../../src/contract';
import type { WorkerMetrics } from '../../src/metrics';

/**
 * Takes the endpoint's concurrency slot and rate token, or throws a deferral: the activity gives
 * back its worker slot and Temporal retries it a moment later, without using an attempt.
 * Returns the function that gives the slot back.
 */
export async function takeEndpointCapacity(
  ledger: Ledger,
  subscription: SubscriptionTarget,
  holder: string,
  metrics?: Pick<WorkerMetrics, 'attemptDeferred'>,
): Promise<() => Promise<void>> {
  let release = async () => {};
  if (subscription.maxConcurrency !== null) {
    const slot = await ledger.limits.acquireSlot(subscription.id, subscription.maxConcurrency, holder, subscription.timeoutMs + 10_000);
    if (!slot) {
      metrics?.attemptDeferred('max_concurrency');
      throw deferral('the endpoint is at its maxConcurrency', 200 + Math.round(Math.random() * 500));
    }
    release = slot;
  }
  if (subscription.rateLimitPerSecond !== null) {
    const waitMs = await ledger.limits.takeRateToken(subscription.id, subscription.rateLimitPerSecond);
    if (waitMs !== undefined) {
      await release();
      metrics?.attemptDeferred('rate_limit');
      throw deferral('the endpoint is at its rateLimitPerSecond', waitMs + Math.round(Math.random() * 100));
    }
  }
  return release;
}

/** A deferral, not an attempt: Temporal retries the activity after `delayMs`, the schedule is untouched. */
function deferral(reason: string, delayMs: number): ApplicationFailure {
  return ApplicationFailure.create({ message: reason, type: FailureType.Throttled, nextRetryDelay: delayMs });
}
