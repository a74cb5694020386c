import { CancellationScope, CancelledFailure, isCancellation, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { type DeliveryOutcome, runDeliveryChild } from './run-delivery';
import { type EventWorkflowResult, type FanOutShardInput, HEARTBEAT_TIMEOUT } from '../src/contract';

const { loadShardPage } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { maximumInterval: '1m' },
});

/**
 * The deliveries of one run of subscribers, (after, upTo]: started page by page, then awaited.
 * A shard holds at most the shard size of pending children, well below Temporal's limit.
 */
export async function fanOutShardWorkflow(input: FanOutShardInput): Promise<EventWorkflowResult> {
  return runShard(input);
}

type ShardPage = Awaited<ReturnType<typeof loadShardPage>>;

/** A shard's work, also run inline by an event workflow with one shard (its first page already loaded). */
export async function runShard(input: FanOutShardInput, firstPage?: ShardPage): Promise<EventWorkflowResult> {
  const outcomes: Promise<DeliveryOutcome>[] = [];
  let after = input.after;
  let preloaded = firstPage;
  try {
    for (;;) {
      const page = preloaded ?? (await loadShardPage({ eventId: input.eventId, after, upTo: input.upTo }));
      preloaded = undefined;
      for (const plan of page.deliveries) outcomes.push(runDeliveryChild(input.eventId, input.eventType, plan, 0));
      const last = page.deliveries[page.deliveries.length - 1];
      if (page.done || !last) break;
      after = last.subscriptionId;
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
  setCurrentDetails(`${outcomes.length} deliveries started`);

  const settled = await Promise.all(outcomes);
  // Waiting for every child first lets each one record its cancellation before this run ends.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('fan-out cancelled');
  const count = (o: DeliveryOutcome) => settled.filter((s) => s === o).length;
  // A delivery already running elsewhere (a retry started by hand) is not this shard's to count.
  return { deliveries: settled.length, succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') };
}
