import type { Client, WorkflowHandle } from '@temporalio/client';
import { DEFAULT_FAN_OUT_SHARD_SIZE } from '../activities';
import { deliveryWorkflowId, eventWorkflowId, fanOutShardWorkflowId } from '../src/contract';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** Billable Temporal Cloud Actions found in histories, by kind. */
export interface ActionCounts {
  workflowStarted: number;
  childWorkflows: number;
  activityAttempts: number;
  timers: number;
  signals: number;
  searchAttributeUpserts: number;
  markerTasks: number;
  other: number;
}

const zero = (): ActionCounts => ({
  workflowStarted: 0,
  childWorkflows: 0,
  activityAttempts: 0,
  timers: 0,
  signals: 0,
  searchAttributeUpserts: 0,
  markerTasks: 0,
  other: 0,
});

/**
 * Actions in one history, per Temporal Cloud's billing rules (docs.temporal.io/cloud/actions):
 * - Workflow started (client start, Continue-As-New, child workflow start): 1. A child's start is
 *   counted once, at the parent's StartChildWorkflowExecutionInitiated; older pricing pages billed
 *   it twice, which the bench reports as a second figure (actionsPerDeliveryChildAsTwo).
 * - Activity started or retried: 1 per attempt, read from ActivityTaskStarted.attempt (the server
 *   writes that event once, carrying the attempt that finished).
 * - Timer started: 1. Signal sent (client or workflow): 1. UpsertSearchAttributes: 1 per command,
 *   except versioning's TemporalChangeVersion; search attributes given at start are free.
 * - Markers (local activities, side effects): all in one workflow task count once; patch markers
 *   are free. Update accepted, Workflow Execution Options updated, Nexus operation scheduled or
 *   cancel requested: 1 each.
 * Not in histories, so not counted: queries, activity heartbeats, rejected updates, schedules, export.
 */
export function countActions(events: HistoryEvent[]): ActionCounts {
  const c = zero();
  const markerTasks = new Set<string>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) {
      if (!e.workflowExecutionStartedEventAttributes.parentWorkflowExecution) c.workflowStarted += 1;
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      c.childWorkflows += 1;
    } else if (e.activityTaskStartedEventAttributes) {
      c.activityAttempts += Math.max(1, e.activityTaskStartedEventAttributes.attempt ?? 1);
    } else if (e.timerStartedEventAttributes) {
      c.timers += 1;
    } else if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) {
      c.signals += 1;
    } else if (e.workflowExecutionSignaledEventAttributes) {
      // Sent by a workflow: already counted at its SignalExternalWorkflowExecutionInitiated.
      if (!e.workflowExecutionSignaledEventAttributes.externalWorkflowExecution) c.signals += 1;
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      const keys = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {});
      if (keys.some((k) => k !== 'TemporalChangeVersion')) c.searchAttributeUpserts += 1;
    } else if (e.markerRecordedEventAttributes) {
      const { markerName, workflowTaskCompletedEventId } = e.markerRecordedEventAttributes;
      if (markerName !== 'core_patch' && markerName !== 'Version') markerTasks.add(String(workflowTaskCompletedEventId));
    } else if (
      e.workflowExecutionUpdateAcceptedEventAttributes ||
      e.workflowExecutionOptionsUpdatedEventAttributes ||
      e.nexusOperationScheduledEventAttributes ||
      e.nexusOperationCancelRequestedEventAttributes
    ) {
      c.other += 1;
    }
  }
  c.markerTasks = markerTasks.size;
  return c;
}

export const totalActions = (c: ActionCounts): number => Object.values(c).reduce((a, b) => a + b, 0);

export interface HistoryCost {
  workflows: number;
  deliveries: number;
  historyEvents: number;
  /** Completed workflow tasks: each one is a round trip server → worker → server. */
  workflowTasks: number;
  actions: ActionCounts;
  /** History events per workflow type, for the report. */
  /** `event` counts the event workflow and its fan-out shards together. */
  eventsByWorkflow: { event: number; delivery: number };
}

/** Waits for a workflow's result, failing at the deadline. */
async function closedBy(handle: WorkflowHandle, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      handle.result(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${handle.workflowId} did not close in time`)), Math.max(0, deadline - Date.now()));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fetches the closed histories of each sampled event's workflows: the event workflow, its fan-out
 * shards (where the delivery children are started, so their Actions are counted there) and every
 * delivery workflow.
 */
export async function historyCost(
  client: Client,
  sample: string[],
  subscriptionIds: string[],
  timeoutMs: number,
  concurrency = 8,
): Promise<HistoryCost> {
  const cost: HistoryCost = {
    workflows: 0,
    deliveries: sample.length * subscriptionIds.length,
    historyEvents: 0,
    workflowTasks: 0,
    actions: zero(),
    eventsByWorkflow: { event: 0, delivery: 0 },
  };
  // A single shard runs inside the event workflow; more get workflows of their own.
  const count = Math.ceil(subscriptionIds.length / DEFAULT_FAN_OUT_SHARD_SIZE);
  const shards = count > 1 ? count : 0;
  const ids = sample.flatMap((eventId) => [
    eventWorkflowId(eventId),
    ...Array.from({ length: shards }, (_, i) => fanOutShardWorkflowId(eventId, i)),
    ...subscriptionIds.map((s) => deliveryWorkflowId(eventId, s)),
  ]);
  const deadline = Date.now() + timeoutMs;
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const workflowId = ids[next++]!;
      const handle = client.workflow.getHandle(workflowId);
      // A delivery can be succeeded in the ledger a moment before its workflow has closed.
      await closedBy(handle, deadline);
      const events = (await handle.fetchHistory()).events ?? [];
      cost.workflows += 1;
      cost.historyEvents += events.length;
      cost.workflowTasks += events.filter((e) => e.workflowTaskCompletedEventAttributes).length;
      cost.eventsByWorkflow[workflowId.startsWith('delivery:') ? 'delivery' : 'event'] += events.length;
      const counts = countActions(events);
      for (const k of Object.keys(counts) as (keyof ActionCounts)[]) cost.actions[k] += counts[k];
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return cost;
}
