import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { fairnessKeyOf } from '../contract';

const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
const QUEUE_TYPES = [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY];

/** Temporal keeps weights as 32-bit floats: 0.3 comes back as 0.30000001. */
const sameWeight = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/** Keys of this service's own work (broadcasts, the reconciler): an operator may weigh them by hand. */
const isTenantKey = (key: string) => !key.startsWith('~');

interface QueueTarget {
  client: Client;
  taskQueue: string;
}

/**
 * Gives a tenant's fairness key its weight on the task queue's workflow and activity tasks, queued
 * ones included. Kept in Temporal's task queue configuration rather than on each task, so a new
 * weight applies at once to the backlog and to every workflow the tenant's work starts.
 */
export async function applyFairnessWeight(target: QueueTarget, tenantId: string, weight: number): Promise<void> {
  const key = fairnessKeyOf(tenantId);
  await updateOverrides(target, sameWeight(weight, 1) ? { unset: [key] } : { set: { [key]: weight } });
}

/**
 * Makes the task queue's weight overrides what the ledger says (`weights`: tenant id → weight,
 * tenants of weight 1 left out): run by each worker as it starts and by each reconciler sweep,
 * so a weight set while Temporal was unreachable, or a server that lost its config, catches up.
 */
export async function syncFairnessWeights(target: QueueTarget, weights: Map<string, number>): Promise<{ changed: number }> {
  const wanted = new Map([...weights].map(([tenantId, weight]) => [fairnessKeyOf(tenantId), weight]));
  let changed = 0;
  for (const taskQueueType of QUEUE_TYPES) {
    const current = await currentOverrides(target, taskQueueType);
    const set = Object.fromEntries([...wanted].filter(([key, weight]) => current[key] === undefined || !sameWeight(current[key], weight)));
    const unset = Object.keys(current).filter((key) => isTenantKey(key) && !wanted.has(key));
    if (Object.keys(set).length === 0 && unset.length === 0) continue;
    await updateOverrides(target, { set, unset }, [taskQueueType]);
    changed += Object.keys(set).length + unset.length;
  }
  return { changed };
}

async function currentOverrides({ client, taskQueue }: QueueTarget, taskQueueType: temporal.api.enums.v1.TaskQueueType): Promise<Record<string, number>> {
  const described = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType,
    reportConfig: true,
  });
  return { ...(described.config?.fairnessWeightOverrides ?? {}) };
}

async function updateOverrides(
  { client, taskQueue }: QueueTarget,
  change: { set?: Record<string, number>; unset?: string[] },
  types = QUEUE_TYPES,
): Promise<void> {
  for (const taskQueueType of types) {
    await client.workflowService.updateTaskQueueConfig({
      namespace: client.options.namespace,
      identity: client.options.identity,
      taskQueue,
      taskQueueType,
      setFairnessWeightOverrides: change.set ?? {},
      unsetFairnessWeightOverrides: change.unset ?? [],
    });
  }
}
