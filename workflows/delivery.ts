import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScheduleCursor } from '../src/delivery/schedule-cursor';
import {
  confirmSignal,
  type DeliverResult,
  type DeliveryProgress,
  type DeliveryWorkflowInput,
  deliveryStatusQuery,
  FailureType,
  HEARTBEAT_TIMEOUT,
  MAX_ATTEMPT_TIMEOUT_MS,
} from '../src/contract';

/** Time on top of the longest HTTP timeout for the ledger writes around an attempt. */
const ACTIVITY_SLACK_MS = 5_000;

/** Failures after which an activity has already written the delivery's final state. */
const RECORDED_BY_ACTIVITY: string[] = [
  FailureType.AttemptFailed,
  FailureType.EndpointGone,
  FailureType.SubscriptionInactive,
  FailureType.DeliveryEnded,
  FailureType.NotConfirmed,
];

const { endDelivery, settleConfirmationTimeout } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '1m' },
});

/**
 * The deliver activity. Its retries are not capped here: the activity counts attempts in the ledger
 * and ends the delivery when the schedule is used up, so deferrals by endpoint limits cost nothing.
 */
function deliverWithRetries(input: DeliveryWorkflowInput) {
  return proxyActivities<Activities>({
    // The HTTP timeout is read from the live subscription at each attempt and may be raised
    // mid-delivery, so the activity allows the longest one; heartbeats notice a lost worker early.
    startToCloseTimeout: MAX_ATTEMPT_TIMEOUT_MS + ACTIVITY_SLACK_MS,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    summary: `POST ${input.displayUrl}`,
    retry: {
      // Used only when an attempt is lost with its worker; failed attempts set nextRetryDelay.
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '5m',
      nonRetryableErrorTypes: [FailureType.EndpointGone, FailureType.SubscriptionInactive, FailureType.DeliveryEnded],
    },
  }).deliver;
}

/**
 * The first attempt of a run as a local activity: a first-try success (most deliveries) costs no
 * activity task, 5 fewer history events and one workflow task less. Later attempts stay regular
 * activities, whose retries and pending state the Web UI shows.
 */
function deliverFirstAttemptLocally(input: DeliveryWorkflowInput) {
  return proxyLocalActivities<Activities>({
    startToCloseTimeout: MAX_ATTEMPT_TIMEOUT_MS + ACTIVITY_SLACK_MS,
    summary: `POST ${input.displayUrl} (first attempt)`,
    // One try: any failure hands over to the regular activity and its retry policy.
    retry: { maximumAttempts: 1 },
  }).deliverFirstAttempt;
}

// Date inside a workflow is Temporal's replay-safe clock (the time of the current workflow task).
const iso = (ms: number) => new Date(ms).toISOString();

/** A delivery run's state, shared by the steps below. */
interface DeliveryRun {
  input: DeliveryWorkflowInput;
  progress: DeliveryProgress;
  /** Writes the Web UI's current details, with the attempt count. */
  show: (details: string) => void;
  /** Whether the receiver has confirmed `attempt` (the `confirm` signal). */
  isConfirmed: (attempt: number) => boolean;
}

/**
 * Delivers one event to one subscriber. The retry schedule is a single activity with Temporal's
 * retry policy: no timer per retry, so a delivery costs few Actions. A subscription that requires
 * confirmation adds, after each 2xx, a wait for the `confirm` signal bounded by a timer; a missed
 * confirmation is a failed attempt and the schedule goes on from there.
 */
export async function deliveryWorkflow(input: DeliveryWorkflowInput): Promise<DeliverResult> {
  const progress: DeliveryProgress = {
    state: 'delivering',
    attempt: input.attemptOffset,
    confirmationDeadline: null,
    nextAttemptAt: null,
  };
  let confirmedAttempt: number | null = null;
  setHandler(deliveryStatusQuery, () => progress);
  setHandler(confirmSignal, ({ attempt }) => {
    confirmedAttempt = attempt;
  });
  const run: DeliveryRun = {
    input,
    progress,
    show: (details) => setCurrentDetails(`${details} (attempt ${progress.attempt} of ${input.attemptOffset + input.retrySchedule.length})`),
    isConfirmed: (attempt) => confirmedAttempt === attempt,
  };
  try {
    return await deliverUntilDone(run);
  } catch (err) {
    return endAfterFailure(run, err);
  }
}

async function deliverUntilDone(run: DeliveryRun): Promise<DeliverResult> {
  const { input, progress } = run;
  // This run's place in its schedule; the deliver activity gets the rest of the schedule.
  let cursor: ScheduleCursor = { schedule: input.retrySchedule, used: 0 };
  let local = input.firstAttemptLocally === true;
  for (;;) {
    progress.state = 'delivering';
    const rest = { ...input, attemptOffset: input.attemptOffset + cursor.used, retrySchedule: input.retrySchedule.slice(cursor.used) };
    const result = local ? await firstAttemptLocally(run, rest) : await deliverWithRetries(input)(rest);
    local = false;
    if (!result) continue;
    progress.attempt = result.attempt;
    cursor = { ...cursor, used: result.attempt - input.attemptOffset };
    if (!result.awaitingConfirmation) {
      progress.state = 'succeeded';
      run.show(`delivered, HTTP ${result.statusCode}`);
      return result;
    }
    if (await awaitConfirmation(run, result, cursor)) return result;
  }
}

/**
 * The first attempt as a local activity. Undefined when the regular activity takes over: after
 * the schedule's delay if the attempt failed, at once if the local activity itself failed (its
 * worker lost, the ledger unreachable). A failure that ends the delivery is thrown as it is.
 */
async function firstAttemptLocally(run: DeliveryRun, rest: DeliveryWorkflowInput): Promise<DeliverResult | undefined> {
  try {
    const result = await deliverFirstAttemptLocally(run.input)(rest);
    if (!('retryInMs' in result)) return result;
    await waitToRetry(run, result.retryInMs, 'first attempt failed');
    return undefined;
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (isCancellation(err) || (cause instanceof ApplicationFailure && cause.nonRetryable)) throw err;
    return undefined;
  }
}

/**
 * Waits for the receiver to confirm `result`'s attempt. True when it did; false when the wait ran
 * out and the next attempt is due (after sleeping until then); throws when none is left.
 */
async function awaitConfirmation(run: DeliveryRun, result: DeliverResult, cursor: ScheduleCursor): Promise<boolean> {
  const { input, progress } = run;
  const timeoutMs = input.confirmationTimeoutMs ?? 0;
  progress.state = 'awaiting_confirmation';
  progress.confirmationDeadline = iso(Date.now() + timeoutMs);
  run.show(`awaiting confirmation until ${progress.confirmationDeadline}`);
  // The gateway has already recorded the confirmation in the ledger when it signals.
  if (await condition(() => run.isConfirmed(result.attempt), timeoutMs)) {
    progress.state = 'succeeded';
    progress.confirmationDeadline = null;
    run.show('confirmed by the receiver');
    return true;
  }
  progress.confirmationDeadline = null;
  const settled = await settleConfirmationTimeout({
    deliveryId: input.deliveryId,
    subscriptionId: input.subscriptionId,
    attempt: result.attempt,
    cursor,
    timeoutMs,
  });
  if (settled.outcome === 'succeeded') {
    progress.state = 'succeeded';
    return true; // the confirmation arrived just as the timer fired
  }
  if (settled.nextDelayMs === null) {
    throw ApplicationFailure.nonRetryable(`attempt ${result.attempt} was not confirmed in time`, FailureType.NotConfirmed);
  }
  await waitToRetry(run, settled.nextDelayMs, 'not confirmed');
  return false;
}

/** Sleeps until the next attempt is due, saying so in the status query and the Web UI. */
async function waitToRetry({ progress, show }: DeliveryRun, delayMs: number, why: string): Promise<void> {
  progress.state = 'waiting_to_retry';
  progress.nextAttemptAt = iso(Date.now() + delayMs);
  show(`${why}; next attempt at ${progress.nextAttemptAt}`);
  await sleep(delayMs);
  progress.nextAttemptAt = null;
}

/** Records how the delivery ended, unless the activity already did, and fails the workflow with it. */
async function endAfterFailure({ input, progress, show }: DeliveryRun, err: unknown): Promise<never> {
  if (isCancellation(err)) {
    progress.state = 'cancelled';
    await CancellationScope.nonCancellable(() => endDelivery({ deliveryId: input.deliveryId, status: 'cancelled', reason: 'cancelled' }));
    throw err;
  }
  progress.state = 'failed';
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const recorded = cause instanceof ApplicationFailure && RECORDED_BY_ACTIVITY.includes(cause.type ?? '');
  const reason = cause instanceof Error ? cause.message : 'delivery failed';
  if (!recorded) {
    await endDelivery({ deliveryId: input.deliveryId, status: 'failed', reason });
  }
  show(`failed: ${reason}`);
  throw ApplicationFailure.nonRetryable(`delivery failed: ${reason}`, 'DeliveryFailed');
}
