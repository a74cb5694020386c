import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { purgeScheduleId, reconcileScheduleId, SYSTEM_PRIORITY, type WorkflowTypes } from '../contract';

/** The system's own recurring jobs, each run by a Temporal Schedule: visible and pausable in the Web UI. */
type JobWorkflow = 'reconcileWorkflow' | 'purgeWorkflow';

interface JobSchedule {
  scheduleId: string;
  workflowType: JobWorkflow;
  workflowId: string;
  summary: string;
  taskQueue: string;
  intervalMs: number;
}

export interface ScheduleSettings {
  taskQueue: string;
  intervalMs: number;
}

function scheduleOptions({ workflowType, workflowId, summary, taskQueue, intervalMs }: JobSchedule) {
  return {
    spec: { intervals: [{ every: intervalMs }], jitter: 0 },
    action: {
      type: 'startWorkflow' as const,
      workflowType,
      args: [{}] as Parameters<WorkflowTypes[JobWorkflow]>,
      taskQueue,
      workflowId,
      staticSummary: summary,
      // System work has a fairness key of its own: no tenant's backlog delays it.
      priority: SYSTEM_PRIORITY,
    },
    // One run at a time; a run missed while the server was down is not made up several times.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: intervalMs },
  };
}

/**
 * Creates a job's schedule, or brings an existing one to these settings: every worker calls this
 * as it starts, so it is idempotent, and the last worker's interval wins.
 */
async function ensureSchedule(client: Client, job: JobSchedule): Promise<void> {
  const options = scheduleOptions(job);
  try {
    await client.schedule.create({ scheduleId: job.scheduleId, ...options });
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(job.scheduleId);
  const current = await handle.describe();
  const interval = current.spec.intervals?.[0]?.every;
  const action = current.action.type === 'startWorkflow' ? current.action : undefined;
  const upToDate = action?.taskQueue === job.taskQueue && action.priority?.fairnessKey === SYSTEM_PRIORITY.fairnessKey;
  if (interval === Math.round(job.intervalMs / 1000) * 1000 && upToDate) return;
  await handle.update((previous) => ({ ...previous, ...options, state: previous.state }));
}

/** The reconciler: starts or ends what the ledger holds and no workflow drives (RECONCILE_INTERVAL). */
export function ensureReconcileSchedule(client: Client, { taskQueue, intervalMs }: ScheduleSettings): Promise<void> {
  const scheduleId = reconcileScheduleId(taskQueue);
  return ensureSchedule(client, { scheduleId, workflowType: 'reconcileWorkflow', workflowId: `reconcile:${taskQueue}`, summary: 'reconcile the ledger with Temporal', taskQueue, intervalMs });
}

/** The purge: removes what retention let go (PURGE_INTERVAL). */
export function ensurePurgeSchedule(client: Client, { taskQueue, intervalMs }: ScheduleSettings): Promise<void> {
  const scheduleId = purgeScheduleId(taskQueue);
  return ensureSchedule(client, { scheduleId, workflowType: 'purgeWorkflow', workflowId: `purge:${taskQueue}`, summary: 'remove what retention let go', taskQueue, intervalMs });
}
