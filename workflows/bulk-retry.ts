import { isCancellation, patched, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { type BulkRetryInput, type BulkRetryProgress, bulkRetryProgressQuery, HEARTBEAT_TIMEOUT } from '../src/contract';

const { retryPage } = proxyActivities<Activities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { maximumInterval: '1m' },
});

const { tellJobFinished } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumInterval: '30s' } });

/** Patch id: a finished job is told as an operational event (webhook.bulk_retry.finished); older runs finish silently. */
export const TELL_JOB_FINISHED = 'tell-job-finished';

/** Deliveries per activity call: each call starts them a few at a time and heartbeats. */
const PAGE_SIZE = 50;
/** Skipped deliveries kept with their reason in the job's state. */
const SKIPPED_SAMPLE = 20;

/**
 * A bulk retry: the deliveries matching a filter, each started again as a new run of its
 * delivery workflow (retryDelivery), page by page. It ends when all are started, not delivered:
 * each delivery is then seen, cancelled or retried on its own. Cancelling it starts no more.
 */
export async function bulkRetryWorkflow(input: BulkRetryInput): Promise<BulkRetryProgress> {
  const progress: BulkRetryProgress = { state: 'running', matched: 0, started: 0, skipped: 0, skippedSample: [] };
  setHandler(bulkRetryProgressQuery, () => ({ ...input, ...progress }));
  let after: { createdAt: string; id: string } | null = null;
  try {
    do {
      const page: Awaited<ReturnType<typeof retryPage>> = await retryPage({ filter: input.filter, after, size: Math.min(PAGE_SIZE, input.filter.limit - progress.matched) });
      progress.matched += page.matched;
      progress.started += page.started;
      progress.skipped += page.skipped.length;
      progress.skippedSample.push(...page.skipped.slice(0, SKIPPED_SAMPLE - progress.skippedSample.length));
      setCurrentDetails(`${progress.started} of ${progress.matched} deliveries started, ${progress.skipped} skipped`);
      after = page.next;
    } while (after && progress.matched < input.filter.limit);
  } catch (err) {
    if (isCancellation(err)) progress.state = 'cancelled';
    throw err;
  }
  progress.state = 'completed';
  if (patched(TELL_JOB_FINISHED)) {
    const { skippedSample: _, ...summary } = progress;
    await tellJobFinished({ kind: 'bulk_retry', workflowId: workflowInfo().workflowId, tenantId: input.filter.tenantId, summary });
  }
  return progress;
}
