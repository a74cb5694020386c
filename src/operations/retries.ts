import {
  type BulkRetryFilter,
  type BulkRetryProgress,
  bulkRetryProgressQuery,
  bulkRetryWorkflowId,
  SYSTEM_PRIORITY,
  tenantPriority,
  WebhookSubscriptionId,
  WebhookTenantId,
  type WorkflowTypes,
} from '../contract';
import { mapWithConcurrency } from '../core/concurrency';
import { retryDelivery } from './deliveries';
import { ConflictError, NotFoundError } from '../model/errors';
import { newId } from '../core/ids';
import type { ServiceDeps } from './deps';
import { cancelJob, type JobClosedAs, readJob } from '../temporal/job';
import { countedJob } from './quotas';

/** Deliveries started at once by one page of a bulk retry. */
const RETRY_CONCURRENCY = 10;

export interface BulkRetryView extends Omit<BulkRetryProgress, 'state'> {
  id: string;
  status: BulkRetryProgress['state'] | JobClosedAs;
  filter: BulkRetryFilter;
}

/**
 * Starts a bulk retry as a workflow and answers at once: the job runs (and can be read and
 * cancelled) whatever happens to the gateway that started it. It counts as a job of the tenant its
 * filter names (operations/quotas.ts); `enforceQuota` (a tenant's caller) refuses it at the tenant's limit.
 */
export async function startBulkRetry(deps: ServiceDeps, filter: BulkRetryFilter, enforceQuota = false): Promise<BulkRetryView> {
  const id = newId.retry();
  const tenantId = filter.tenantId ?? (filter.subscriptionId === undefined ? undefined : (await deps.ledger.subscriptions.get(filter.subscriptionId))?.tenantId);
  return countedJob(deps, { tenantId, kind: 'bulk_retry', workflowId: bulkRetryWorkflowId(id) }, enforceQuota, () => runBulkRetry(deps, id, filter, tenantId));
}

async function runBulkRetry({ client, taskQueue }: ServiceDeps, id: string, filter: BulkRetryFilter, tenantId: string | undefined): Promise<BulkRetryView> {
  await client.workflow.start<WorkflowTypes['bulkRetryWorkflow']>('bulkRetryWorkflow', {
    taskQueue,
    workflowId: bulkRetryWorkflowId(id),
    // Its tenant's share of the queue; an operator's retry across tenants is system work (the
    // deliveries it starts carry their own tenants' keys either way).
    priority: tenantId === undefined ? SYSTEM_PRIORITY : tenantPriority(tenantId),
    args: [{ jobId: id, filter }],
    typedSearchAttributes: [
      ...(filter.subscriptionId ? [{ key: WebhookSubscriptionId, value: filter.subscriptionId }] : []),
      ...(filter.tenantId ? [{ key: WebhookTenantId, value: filter.tenantId }] : []),
    ],
    staticSummary: `retry up to ${filter.limit} ${filter.status} deliveries`,
  });
  return { id, status: 'running', filter, matched: 0, started: 0, skipped: 0, skippedSample: [] };
}

export async function getBulkRetry({ client }: ServiceDeps, id: string): Promise<BulkRetryView> {
  const { progress, status } = await readJob(client, bulkRetryWorkflowId(id), bulkRetryProgressQuery, { kind: 'bulk retry', id });
  const { jobId: _, filter, state: __, ...counts } = progress;
  return { id, status, filter, ...counts };
}

export async function cancelBulkRetry(deps: ServiceDeps, id: string): Promise<BulkRetryView> {
  return cancelJob(deps.client, bulkRetryWorkflowId(id), await getBulkRetry(deps, id), `Bulk retry ${id}`);
}

export interface RetryPageResult {
  matched: number;
  started: number;
  skipped: { id: string; reason: string }[];
  next: { createdAt: string; id: string } | null;
}

/** One page of a bulk retry: the next matching deliveries, each retried, a bounded number at a time. */
export async function retryPage(
  deps: ServiceDeps,
  filter: BulkRetryFilter,
  after: { createdAt: string; id: string } | null,
  size: number,
  onEach: () => void = () => {},
): Promise<RetryPageResult> {
  const page = await deps.ledger.deliveries.find({ ...filter, statuses: [filter.status], after: after ?? undefined, limit: size });
  const outcomes = await mapWithConcurrency(page, RETRY_CONCURRENCY, async (d) => {
    try {
      await retryDelivery(deps, d.id);
      return null;
    } catch (err) {
      // Conflicts (retried meanwhile, subscription disabled) are reported; anything else retries the page.
      if (err instanceof ConflictError || err instanceof NotFoundError) return { id: d.id, reason: err.message };
      throw err;
    } finally {
      onEach();
    }
  });
  const skipped = outcomes.filter((o) => o !== null);
  const last = page[page.length - 1];
  return {
    matched: page.length,
    started: page.length - skipped.length,
    skipped,
    next: page.length === size && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}
