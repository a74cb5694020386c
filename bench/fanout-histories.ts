// What the large fan-out's histories say: per workflow, its size, the most children it had
// pending, when its last child was initiated and started, and how long its tasks queued. Read
// after the fan-out, from the event workflow and each of its shards.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

export interface HistoryStats {
  events: number;
  /** Most children initiated and not yet closed at any point of the history. */
  maxPendingChildren: number;
  childWorkflowIds: string[];
  /** Children the server reported started (ChildWorkflowExecutionStarted). */
  childrenStarted: number;
  /** Wall-clock times (ms since the epoch, server's clock) of the last child initiated and started. */
  lastChildInitiatedAt: number | null;
  lastChildStartedAt: number | null;
  workflowTasks: number;
  /** Longest wait of one of its workflow tasks / activity tasks in the task queue (scheduled → started). */
  maxWorkflowTaskQueueMs: number;
  maxActivityQueueMs: number;
  closed: boolean;
}

/** The counts while the history is read, event by event. */
type Tally = Omit<HistoryStats, 'events' | 'closed'> & { pending: number; timeOf: Map<string, number> };

const latest = (prev: number | null, at: number | undefined) => (at === undefined ? prev : Math.max(prev ?? 0, at));

/** A child workflow that ended one way or another (or never started): no longer pending. */
const childEnded = (e: HistoryEvent) =>
  Boolean(
    e.startChildWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes ||
      e.childWorkflowExecutionTimedOutEventAttributes ||
      e.childWorkflowExecutionTerminatedEventAttributes,
  );

/** The history ends in a close (completion, failure, cancel, termination, timeout or continue-as-new). */
const endsClosed = (last: HistoryEvent | undefined) =>
  Boolean(
    last &&
      (last.workflowExecutionCompletedEventAttributes ||
        last.workflowExecutionFailedEventAttributes ||
        last.workflowExecutionCanceledEventAttributes ||
        last.workflowExecutionTerminatedEventAttributes ||
        last.workflowExecutionTimedOutEventAttributes ||
        last.workflowExecutionContinuedAsNewEventAttributes),
  );

/** Adds one history event to the tally. */
function count(t: Tally, e: HistoryEvent): void {
  const at = optionalTsToMs(e.eventTime);
  if (at !== undefined) t.timeOf.set(String(e.eventId), at);
  const queued = (scheduledEventId: unknown) => {
    const scheduled = t.timeOf.get(String(scheduledEventId));
    return at === undefined || scheduled === undefined ? 0 : at - scheduled;
  };
  if (e.workflowTaskStartedEventAttributes) {
    t.maxWorkflowTaskQueueMs = Math.max(t.maxWorkflowTaskQueueMs, queued(e.workflowTaskStartedEventAttributes.scheduledEventId));
  } else if (e.workflowTaskCompletedEventAttributes) {
    t.workflowTasks += 1;
  } else if (e.activityTaskStartedEventAttributes) {
    t.maxActivityQueueMs = Math.max(t.maxActivityQueueMs, queued(e.activityTaskStartedEventAttributes.scheduledEventId));
  } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
    t.pending += 1;
    t.maxPendingChildren = Math.max(t.maxPendingChildren, t.pending);
    t.childWorkflowIds.push(e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '');
    t.lastChildInitiatedAt = latest(t.lastChildInitiatedAt, at);
  } else if (e.childWorkflowExecutionStartedEventAttributes) {
    t.childrenStarted += 1;
    t.lastChildStartedAt = latest(t.lastChildStartedAt, at);
  } else if (childEnded(e)) {
    t.pending -= 1;
  }
}

export function historyStats(events: HistoryEvent[]): HistoryStats {
  const t: Tally = {
    pending: 0,
    timeOf: new Map(),
    maxPendingChildren: 0,
    childWorkflowIds: [],
    childrenStarted: 0,
    lastChildInitiatedAt: null,
    lastChildStartedAt: null,
    workflowTasks: 0,
    maxWorkflowTaskQueueMs: 0,
    maxActivityQueueMs: 0,
  };
  for (const e of events) count(t, e);
  const { pending: _pending, timeOf: _timeOf, ...stats } = t;
  return { events: events.length, ...stats, closed: endsClosed(events[events.length - 1]) };
}

async function fetchStats(client: Client, workflowId: string): Promise<HistoryStats> {
  return historyStats((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
}

/** Waits for a workflow to close, up to `ms`; false if it has not by then. */
async function closedWithin(client: Client, workflowId: string, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      client.workflow
        .getHandle(workflowId)
        .result()
        .then(
          () => true,
          () => true, // closed, just not successfully: still closed
        ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The event workflow's and its shards' stats. After a complete run the shards and the event close
 * within moments; after a deadline they are still running and their histories so far are what
 * there is.
 */
export async function eventAndShardStats(
  client: Client,
  eventWorkflowId: string,
  timedOut: boolean,
  say: (message: string) => void,
): Promise<{ event: HistoryStats; shards: HistoryStats[] }> {
  if (!timedOut && !(await closedWithin(client, eventWorkflowId, 120_000))) say('fan-out: the event workflow did not close within 120 s');
  const event = await fetchStats(client, eventWorkflowId);
  const shardIds = event.childWorkflowIds;
  say(`fan-out: reading the histories of the event workflow and its ${shardIds.length} shards`);
  const shards: HistoryStats[] = [];
  let next = 0;
  const lane = async () => {
    while (next < shardIds.length) shards.push(await fetchStats(client, shardIds[next++]!));
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  return { event, shards };
}
