import {
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { TELL_JOB_FINISHED } from './bulk-retry';
import { runDeliveryChild } from './run-delivery';
import { HEARTBEAT_TIMEOUT, type ReplayProgress, replayProgressQuery, type ReplayWorkflowInput } from '../src/contract';

const { prepareReplayPage } = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { maximumInterval: '1m' },
});
const { tellJobFinished } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumInterval: '30s' } });
const { endDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { maximumInterval: '1m' },
});

/** Re-deliveries running at once; keeps pending children far below Temporal's limit. */
const MAX_IN_FLIGHT = 100;

/**
 * Re-delivers a subscription's events from a time window: each as a new run of its delivery
 * workflow (same webhook-id, attempt numbers continuing), a bounded number at a time.
 * Cancelling the replay cancels the re-deliveries in flight and starts no more.
 */
export async function replayWorkflow(input: ReplayWorkflowInput): Promise<ReplayProgress> {
  const progress: ReplayProgress = { state: 'running', matched: 0, started: 0, skipped: 0, succeeded: 0, failed: 0, cancelled: 0 };
  setHandler(replayProgressQuery, () => ({ ...input, ...progress }));
  let inFlight = 0;
  const children: Promise<void>[] = [];
  // Reopened in the ledger but not started yet: a cancel must end these itself.
  let waiting: string[] = [];

  try {
    let after: { createdAt: string; id: string } | undefined;
    do {
      const page = await prepareReplayPage({ ...input, after, remaining: input.limit - progress.matched });
      progress.matched += page.matched;
      progress.skipped += page.skipped;
      waiting = page.deliveries.map((d) => d.deliveryId);
      for (const d of page.deliveries) {
        await condition(() => inFlight < MAX_IN_FLIGHT);
        waiting.shift();
        inFlight++;
        progress.started++;
        const { eventId, eventType, attemptOffset, ...plan } = d;
        children.push(
          runDeliveryChild(eventId, eventType, plan, attemptOffset).then((outcome) => {
            inFlight--;
            // Already running elsewhere (e.g. still under its event workflow): left alone.
            if (outcome === 'already_running') progress.skipped++;
            else progress[outcome]++;
          }),
        );
      }
      setCurrentDetails(`${progress.started} of ${progress.matched} events re-delivered so far`);
      after = page.next ?? undefined;
    } while (after && progress.matched < input.limit);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() =>
      Promise.all(waiting.map((deliveryId) => endDelivery({ deliveryId, status: 'cancelled', reason: 'replay cancelled' }))),
    );
    progress.cancelled += waiting.length;
  }

  await Promise.all(children);
  if (CancellationScope.current().consideredCancelled) {
    progress.state = 'cancelled';
    throw new CancelledFailure('replay cancelled');
  }
  progress.state = 'completed';
  setCurrentDetails(`${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.skipped} skipped`);
  if (patched(TELL_JOB_FINISHED)) {
    await tellJobFinished({ kind: 'replay', workflowId: workflowInfo().workflowId, subscriptionId: input.subscriptionId, summary: { ...progress, subscriptionId: input.subscriptionId } });
  }
  return progress;
}
