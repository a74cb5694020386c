import { type ReplayProgress, replayProgressQuery, replayWorkflowId, tenantPriority, WebhookSubscriptionId, type WorkflowTypes } from '../contract';
import { ConflictError, NotFoundError } from '../model/errors';
import { newId } from '../core/ids';
import type { ServiceDeps } from './deps';
import { cancelJob, readJob } from '../temporal/job';
import { countedJob } from './quotas';

export interface ReplayView extends Omit<ReplayProgress, 'state'> {
  id: string;
  subscriptionId: string;
  since: string;
  until: string;
  limit: number;
  status: ReplayProgress['state'] | 'failed' | 'terminated';
}

/** Starts re-delivering a subscription's events of [since, until) as a replay workflow. */
export async function startReplay(
  { ledger, client, taskQueue }: ServiceDeps,
  subscriptionId: string,
  window: { since: string; until?: string; limit: number },
): Promise<ReplayView> {
  const subscription = await ledger.subscriptions.get(subscriptionId);
  if (!subscription) throw new NotFoundError('subscription', subscriptionId);
  if (subscription.status !== 'active') throw new ConflictError(`Subscription ${subscriptionId} is disabled; re-enable it first.`);
  const id = newId.replay();
  const input = { replayId: id, subscriptionId, since: window.since, until: window.until ?? new Date().toISOString(), limit: window.limit };
  // Counted as a job of the subscription's tenant (never refused: only the operator starts replays).
  const job = { tenantId: subscription.tenantId, kind: 'replay' as const, workflowId: replayWorkflowId(id) };
  await countedJob({ ledger, client, taskQueue }, job, false, () =>
    client.workflow.start<WorkflowTypes['replayWorkflow']>('replayWorkflow', {
      taskQueue,
      workflowId: replayWorkflowId(id),
      priority: tenantPriority(subscription.tenantId),
      args: [input],
      typedSearchAttributes: [{ key: WebhookSubscriptionId, value: subscriptionId }],
      staticSummary: `replay ${subscriptionId} from ${input.since} to ${input.until}`,
    }),
  );
  // The answer is a ReplayView like GET /v1/replays/{id}'s: the workflow's input without its replayId.
  const { replayId: _, ...shown } = input;
  return { id, ...shown, status: 'running', matched: 0, started: 0, skipped: 0, succeeded: 0, failed: 0, cancelled: 0 };
}

/** A replay's progress, from its workflow's query (which also answers after it has closed). */
export async function getReplay({ client }: ServiceDeps, id: string): Promise<ReplayView> {
  const { progress, status } = await readJob(client, replayWorkflowId(id), replayProgressQuery, { kind: 'replay', id });
  const { replayId: _, state: __, ...rest } = progress;
  return { id, ...rest, status };
}

export async function cancelReplay(deps: ServiceDeps, id: string): Promise<ReplayView> {
  return cancelJob(deps.client, replayWorkflowId(id), await getReplay(deps, id), `Replay ${id}`);
}
