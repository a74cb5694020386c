import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { reconcileScheduleId, SYSTEM_PRIORITY, type WorkflowTypes } from '../contract';

export interface ReconcileScheduleSettings {
  taskQueue: string;
  intervalMs: number;
}

function scheduleOptions({ taskQueue, intervalMs }: ReconcileScheduleSettings) {
  return {
    spec: { intervals: [{ every: intervalMs }], jitter: 0 },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'reconcileWorkflow',
      args: [{}] as Parameters<WorkflowTypes['reconcileWorkflow']>,
      taskQueue,
      workflowId: `reconcile:${taskQueue}`,
      staticSummary: 'reconcile the ledger with Temporal',
      // System work has a fairness key of its own: no tenant's backlog delays the sweep.
      priority: SYSTEM_PRIORITY,
    },
    // One sweep at a time; a sweep missed while the server was down is not made up several times.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: intervalMs },
  };
}

/**
 * Creates the reconciler's schedule, or brings an existing one to these settings: every worker
 * calls this as it starts, so it is idempotent, and the last worker's RECONCILE_INTERVAL wins.
 */
export async function ensureReconcileSchedule(client: Client, settings: ReconcileScheduleSettings): Promise<void> {
  const scheduleId = reconcileScheduleId(settings.taskQueue);
  const options = scheduleOptions(settings);
  try {
    await client.schedule.create({ scheduleId, ...options });
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe();
  const interval = current.spec.intervals?.[0]?.every;
  const action = current.action.type === 'startWorkflow' ? current.action : undefined;
  const upToDate = action?.taskQueue === settings.taskQueue && action.priority?.fairnessKey === SYSTEM_PRIORITY.fairnessKey;
  if (interval === Math.round(settings.intervalMs / 1000) * 1000 && upToDate) return;
  await handle.update<WorkflowTypes['reconcileWorkflow']>((previous) => ({ ...previous, ...options, state: previous.state }));
}
