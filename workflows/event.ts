import {
  CancellationScope,
  CancelledFailure,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { fanOutShardWorkflow, runShard } from './fan-out-shard';
import {
  type EventWorkflowInput,
  type EventWorkflowResult,
  fanOutShardWorkflowId,
  HEARTBEAT_TIMEOUT,
  WebhookEventId,
  WebhookEventType,
} from '../src/contract';

const { recordFanOut } = proxyActivities<Activities>({
  // Writing 100,000 delivery rows takes seconds, not minutes; a lost worker is noticed by heartbeat.
  startToCloseTimeout: '5m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { maximumInterval: '1m' },
});

/**
 * The fan-out's ledger write as a local activity: for the usual few subscribers it takes
 * milliseconds, and a regular activity would add an activity task, three history events and a
 * workflow task. It is idempotent, so a worker lost mid-way has the next one run it again after
 * the workflow task's timeout; a long one (100,000 rows) keeps the workflow task alive meanwhile.
 */
const { recordFanOut: recordFanOutLocally } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5m',
  retry: { maximumInterval: '1m' },
});

/**
 * One event. Records a delivery per subscriber, then fans out in two stages: a shard workflow per
 * run of subscribers, each running the delivery workflows of its run. Every workflow keeps few
 * pending children and a short history, whatever the number of subscribers. Cancelling it
 * cancels the shards and, through them, every delivery.
 */
export async function eventWorkflow(input: EventWorkflowInput): Promise<EventWorkflowResult> {
  const record = input.recordFanOutLocally ? recordFanOutLocally : recordFanOut;
  const { deliveries, shards, firstPage } = await record(input);
  setCurrentDetails(`${deliveries} deliveries in ${shards.length} shards`);
  // One shard's worth of subscribers (the common case) is run right here, from the page the fan-out
  // already loaded: a shard workflow and another activity would only add Actions and history.
  if (shards.length === 1) return runShard({ ...input, ...shards[0]! }, firstPage);
  const results = await Promise.all(
    shards.map((range, index) =>
      executeChild(fanOutShardWorkflow, {
        workflowId: fanOutShardWorkflowId(input.eventId, index),
        args: [{ ...input, ...range }],
        typedSearchAttributes: [
          { key: WebhookEventId, value: input.eventId },
          { key: WebhookEventType, value: input.eventType },
        ],
        staticSummary: `${input.eventType}: shard ${index + 1} of ${shards.length}`,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      }).catch((err: unknown) => {
        if (isCancellation(err)) return undefined;
        throw err;
      }),
    ),
  );
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('event cancelled');
  const total: EventWorkflowResult = { deliveries: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const r of results) {
    if (!r) continue;
    total.deliveries += r.deliveries;
    total.succeeded += r.succeeded;
    total.failed += r.failed;
    total.cancelled += r.cancelled;
  }
  setCurrentDetails(`${total.succeeded} succeeded, ${total.failed} failed, ${total.cancelled} cancelled`);
  return total;
}
