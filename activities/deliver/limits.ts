import { ApplicationFailure } from '@temporalio/activity';
import type { Ledger, SubscriptionTarget } from '../../src/store/ledger';
import { FailureType } from '../../src/contract';
import type { WorkerMetrics } from '../../src/metrics';
import { releaseSlot, slotReleased } from './slot-waiters';

type Release = () => Promise<void>;
type Deferrals = Pick<WorkerMetrics, 'attemptDeferred'>;

/** Where an attempt takes its capacity, and for how long a lease may outlive its worker. */
interface CapacityClaim {
  ledger: Ledger;
  subscription: SubscriptionTarget;
  holder: string;
  /** Temporal's attempt number of this activity: deferrals back off with it. */
  activityAttempt: number;
  metrics?: Deferrals;
}

/** The slot pool of a tenant's attempts in flight, beside the endpoints' own pools. */
export const tenantPool = (tenantId: string) => `tenant:${tenantId}`;

/**
 * Takes a slot of the tenant's attemptsInFlight, then the endpoint's concurrency slot and rate
 * token, or throws a deferral: the activity gives back its worker slot and Temporal retries it a
 * moment later, without using an attempt. Returns the function that gives the slots back.
 */
export async function takeAttemptCapacity(claim: CapacityClaim): Promise<Release> {
  const releaseTenant = await takeTenantSlot(claim);
  try {
    const releaseEndpoint = await takeEndpointCapacity(claim.ledger, claim.subscription, claim.holder, claim.metrics);
    return async () => {
      await releaseEndpoint();
      await releaseTenant();
    };
  } catch (err) {
    await releaseTenant();
    throw err;
  }
}

/** How long an attempt waits in its worker for a slot of its tenant, and how often it looks, before it is deferred. */
const SLOT_WAIT_MS = 250;
const SLOT_POLL_MS = 50;

/**
 * A tenant's receivers that hang hold at most its attemptsInFlight of every worker's slots; the
 * rest stay free for other tenants. A burst of quick attempts waits a moment in the worker for a
 * slot to come back; past that, attempts are deferred, backing off up to 15 s, since slots held
 * by hanging receivers free up only at their timeouts.
 */
async function takeTenantSlot({ ledger, subscription, holder, activityAttempt, metrics }: CapacityClaim): Promise<Release> {
  const pool = tenantPool(subscription.tenantId);
  const { attemptsInFlight: max } = await ledger.quotas.limitsOf(subscription.tenantId);
  const deadline = Date.now() + SLOT_WAIT_MS;
  for (;;) {
    const slot = await ledger.limits.acquireSlot(pool, max, holder, subscription.timeoutMs + 10_000);
    if (slot) return () => slot().finally(() => releaseSlot(pool));
    const left = deadline - Date.now();
    if (left <= 0) break;
    await slotReleased(pool, Math.min(left, SLOT_POLL_MS));
  }
  metrics?.attemptDeferred('tenant_attempts_in_flight');
  const backoffMs = Math.min(500 * 2 ** Math.min(activityAttempt - 1, 5), 15_000);
  throw deferral("the tenant's attemptsInFlight are all in use", backoffMs + Math.round(Math.random() * backoffMs * 0.5));
}

/** The endpoint's concurrency slot and rate token (its maxConcurrency and rateLimitPerSecond). */
export async function takeEndpointCapacity(ledger: Ledger, subscription: SubscriptionTarget, holder: string, metrics?: Deferrals): Promise<Release> {
  let release: Release = async () => {};
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
