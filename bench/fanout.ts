// The large fan-out phase: N subscribers to one event type, ONE event posted through the gateway,
// and how long the stack takes to record, start and deliver all N deliveries. Enabled by
// BENCH_FANOUT_SUBSCRIBERS > 0 (bench/params.ts). The subscriptions are written straight into the
// ledger (bench/fanout-setup.ts), the run is watched from the outside (bench/fanout-watch.ts) and
// the event's and shards' histories are read at the end (bench/fanout-histories.ts).
import { eventWorkflowId } from '../src/contract';
import { eventAndShardStats, type HistoryStats } from './fanout-histories';
import { insertSubscriptions } from './fanout-setup';
import { FANOUT_EVENT_ID, FanOutWatch, type Sample } from './fanout-watch';
import { publish } from './load';
import { type PhaseResult, phaseWindow } from './measure';
import { peakRssMb } from './procs';
import type { BenchReceiver } from './receiver';
import { round } from './report';
import type { Stack } from './stack';

/** Matched by the fan-out subscriptions only: the other phases' subscriptions take `bench.*`. */
export const FANOUT_EVENT_TYPE = 'benchfanout.created';

/** Temporal's default per-workflow limits (self-hosted and dev server), for the report. */
export const TEMPORAL_LIMITS = {
  /** limit.historyCount.error; warnings start at limit.historyCount.warn = 10,240. */
  historyEventsError: 51_200,
  historyEventsWarn: 10_240,
  /** limit.numPendingChildExecutions.error */
  pendingChildrenError: 2_000,
};

export interface FanOutOptions {
  subscribers: number;
  /** Per milestone deadline, counted from the event's 202. */
  timeoutSeconds: number;
  say: (message: string) => void;
}

export interface FanOutResult {
  fanOutSubscribers: number;
  /** Inserting the subscriptions into the ledger (setup; not part of the measured fan-out). */
  fanOutSetupMs: number;
  /** Event accepted (202) → every delivery recorded in the ledger (recordFanOut committed). */
  fanOutRecordedMs: number | null;
  /** Event accepted → the receiver has seen the first attempt of every delivery. */
  fanOutAllStartedMs: number | null;
  /** Event accepted → every delivery succeeded in the ledger. */
  fanOutAllDeliveredMs: number | null;
  /** Succeeded deliveries / seconds since the event was accepted (to the end, or to the deadline). */
  fanOutDeliveriesPerSecond: number;
  fanOutEventHistoryEvents: number | null;
  fanOutMaxShardHistoryEvents: number | null;
  fanOutShards: number;
  fanOutMaxPendingChildren: number;
  fanOut: {
    /** Everything settled before the deadline. */
    completed: boolean;
    timedOut: boolean;
    timeoutSeconds: number;
    /** Counts when the phase ended. */
    reached: {
      recorded: number;
      /** Delivery workflows started, per the shards' histories (ChildWorkflowExecutionStarted). */
      workflowsStarted: number;
      /** Deliveries past `pending` in the ledger: their first attempt began. */
      attempted: number;
      firstAttemptsAtReceiver: number;
      succeeded: number;
      failed: number;
      cancelled: number;
    };
    elapsedMs: number;
    /**
     * Event accepted → the last delivery workflow started: the latest ChildWorkflowExecutionStarted
     * in the shards' histories (server clock; same machine, so the same wall clock as the bench).
     */
    allWorkflowsStartedMs: number | null;
    /** Event accepted → no delivery left `pending` in the ledger. */
    allAttemptedMs: number | null;
    /** Deliveries per second between the ledger recording them and the last success. */
    deliveriesPerSecondAfterRecorded: number | null;
    eventWorkflow: {
      historyEvents: number | null;
      maxPendingChildren: number;
      workflowTasks: number;
      /** How long recordFanOut waited in the activity task queue. */
      maxActivityQueueMs: number;
      closed: boolean;
    };
    shardWorkflows: {
      count: number;
      minHistoryEvents: number | null;
      maxHistoryEvents: number | null;
      maxPendingChildren: number;
      /** Most workflow tasks one shard took (each child started or closed wakes it). */
      maxWorkflowTasks: number;
      /** Delivery children initiated, summed over the shards. */
      deliveryChildren: number;
      /** Event accepted → the last StartChildWorkflowExecutionInitiated of any shard. */
      lastChildInitiatedMs: number | null;
      /** Longest a shard's workflow task / loadShardPage activity waited in the task queue. */
      maxWorkflowTaskQueueMs: number;
      maxActivityQueueMs: number;
      allClosed: boolean;
    };
    limits: typeof TEMPORAL_LIMITS;
    /** Requests beyond the first attempt per delivery during this phase. */
    repeatedDeliveries: number;
    cpu: PhaseResult['cpu'];
    temporalServer: PhaseResult['temporal'];
    /** Peak RSS at the end of the phase (a high-water mark over the whole run so far). */
    peakRssMb: { worker?: number; gateway?: number; temporal?: number };
    timeline: Sample[];
  };
}

/** The shards' histories summed up; times in ms since the event was accepted. */
function shardSummary(shards: HistoryStats[], N: number, acceptedAtWallMs: number) {
  const shardEvents = shards.map((s) => s.events);
  const workflowsStarted = shards.reduce((a, s) => a + s.childrenStarted, 0);
  const lastStart = Math.max(0, ...shards.map((s) => s.lastChildStartedAt ?? 0));
  const lastInitiated = Math.max(0, ...shards.map((s) => s.lastChildInitiatedAt ?? 0));
  return {
    workflowsStarted,
    allWorkflowsStartedMs: workflowsStarted >= N && lastStart > 0 ? round(lastStart - acceptedAtWallMs) : null,
    shardWorkflows: {
      count: shards.length,
      minHistoryEvents: shards.length > 0 ? Math.min(...shardEvents) : null,
      maxHistoryEvents: shards.length > 0 ? Math.max(...shardEvents) : null,
      maxPendingChildren: Math.max(0, ...shards.map((s) => s.maxPendingChildren)),
      maxWorkflowTasks: Math.max(0, ...shards.map((s) => s.workflowTasks)),
      deliveryChildren: shards.reduce((a, s) => a + s.childWorkflowIds.length, 0),
      lastChildInitiatedMs: lastInitiated > 0 ? round(lastInitiated - acceptedAtWallMs) : null,
      maxWorkflowTaskQueueMs: Math.max(0, ...shards.map((s) => s.maxWorkflowTaskQueueMs)),
      maxActivityQueueMs: Math.max(0, ...shards.map((s) => s.maxActivityQueueMs)),
      allClosed: shards.every((s) => s.closed),
    },
  };
}

/** Where the run got to, from the watch and the receiver. */
function reached(w: FanOutWatch, workflowsStarted: number): FanOutResult['fanOut']['reached'] {
  const { attempted, succeeded, failed, cancelled } = w.counts;
  return { recorded: w.recorded, workflowsStarted, attempted, firstAttemptsAtReceiver: w.firstAttemptsAtEnd, succeeded, failed, cancelled };
}

interface Observed {
  N: number;
  setupMs: number;
  timeoutSeconds: number;
  watch: FanOutWatch;
  event: HistoryStats;
  shards: ReturnType<typeof shardSummary>;
  rest: Pick<FanOutResult['fanOut'], 'repeatedDeliveries' | 'cpu' | 'temporalServer' | 'peakRssMb'>;
}

/** The phase's result from what it watched and read. */
function fanOutResult({ N, setupMs, timeoutSeconds, watch: w, event, shards, rest }: Observed): FanOutResult {
  const seconds = (w.timedOut ? w.elapsedMs : (w.lastSuccessMs ?? w.elapsedMs)) / 1000;
  return {
    fanOutSubscribers: N,
    fanOutSetupMs: setupMs,
    fanOutRecordedMs: w.recordedMs,
    fanOutAllStartedMs: w.allStartedMs,
    fanOutAllDeliveredMs: w.deliveredMs,
    fanOutDeliveriesPerSecond: round(w.counts.succeeded / Math.max(0.001, seconds)),
    fanOutEventHistoryEvents: event.events,
    fanOutMaxShardHistoryEvents: shards.shardWorkflows.maxHistoryEvents,
    fanOutShards: event.childWorkflowIds.length,
    fanOutMaxPendingChildren: Math.max(event.maxPendingChildren, shards.shardWorkflows.maxPendingChildren),
    fanOut: {
      completed: !w.timedOut && w.settled() >= w.recorded && w.recorded > 0,
      timedOut: w.timedOut,
      timeoutSeconds,
      reached: reached(w, shards.workflowsStarted),
      elapsedMs: w.elapsedMs,
      allWorkflowsStartedMs: shards.allWorkflowsStartedMs,
      allAttemptedMs: w.allAttemptedMs,
      deliveriesPerSecondAfterRecorded:
        w.deliveredMs !== null && w.recordedMs !== null ? round(N / Math.max(0.001, (w.deliveredMs - w.recordedMs) / 1000)) : null,
      eventWorkflow: {
        historyEvents: event.events,
        maxPendingChildren: event.maxPendingChildren,
        workflowTasks: event.workflowTasks,
        maxActivityQueueMs: event.maxActivityQueueMs,
        closed: event.closed,
      },
      shardWorkflows: shards.shardWorkflows,
      limits: TEMPORAL_LIMITS,
      ...rest,
      timeline: w.timeline,
    },
  };
}

/**
 * Runs the phase on a started stack: inserts the subscriptions, posts one event, watches the
 * ledger and the receiver until everything settled or the deadline passed,
 * then reads the event's and its shards' histories. Never throws for slowness: a deadline that
 * passes is reported as how far it got. Throws if a process dies or the event is refused.
 */
export async function fanOutPhase(stack: Stack, receiver: BenchReceiver, { subscribers: N, timeoutSeconds, say }: FanOutOptions): Promise<FanOutResult> {
  say(`fan-out: inserting ${N} subscriptions to ${FANOUT_EVENT_TYPE} into the ledger`);
  const setup = insertSubscriptions(stack.ledgerFile, N, FANOUT_EVENT_TYPE, (i) => receiver.url(`/fanout/${i + 1}`));
  say(`fan-out: ${N} subscriptions inserted in ${setup.ms} ms`);

  const repeatsBefore = receiver.repeats;
  const usage = await phaseWindow(stack);
  await publish(stack.api, FANOUT_EVENT_ID, 0, FANOUT_EVENT_TYPE);
  const watch = new FanOutWatch(stack, receiver, N, say);
  const acceptedAtWallMs = Date.now();
  say(`fan-out: event ${FANOUT_EVENT_ID} accepted; deadline ${timeoutSeconds} s`);
  await watch.untilSettled(timeoutSeconds);
  const cost = await usage(Math.max(1, watch.counts.succeeded));
  const repeatedDeliveries = receiver.repeats - repeatsBefore;
  const done = `${watch.counts.succeeded}/${N} succeeded, ${watch.firstAttemptsAtEnd} first attempts`;
  say(
    watch.timedOut
      ? `fan-out: deadline passed after ${round(watch.elapsedMs / 1000)} s: ${done}`
      : `fan-out: all ${N} settled after ${round(watch.elapsedMs / 1000)} s (${watch.counts.succeeded} succeeded)`,
  );

  const { event, shards } = await eventAndShardStats(stack.client, eventWorkflowId(FANOUT_EVENT_ID), watch.timedOut, say);
  const peak = { worker: peakRssMb(stack.worker.pid), gateway: peakRssMb(stack.gateway.pid), temporal: peakRssMb(stack.temporal.pid) };
  return fanOutResult({
    N,
    setupMs: setup.ms,
    timeoutSeconds,
    watch,
    event,
    shards: shardSummary(shards, N, acceptedAtWallMs),
    rest: { repeatedDeliveries, cpu: cost.cpu, temporalServer: cost.temporal, peakRssMb: peak },
  });
}

/** The phase's rows for the results table. */
export function fanOutRows(r: FanOutResult): [string, string | number | undefined][] {
  const f = r.fanOut;
  const N = r.fanOutSubscribers;
  const ms = (v: number | null) => (v === null ? `not reached in ${f.timeoutSeconds} s` : `${v} (${round(v / 1000, 1)} s)`);
  const c = (x: Record<string, number>) => `${x.worker} / ${x.gateway} / ${x.temporal} / ${x.bench}`;
  return [
    ['fanOutSubscribers', N],
    ['fan-out setup: insert subscriptions ms', r.fanOutSetupMs],
    ['fanOutRecordedMs', ms(r.fanOutRecordedMs)],
    ['fan-out last delivery child initiated ms', ms(f.shardWorkflows.lastChildInitiatedMs)],
    ['fan-out all delivery workflows started ms', ms(f.allWorkflowsStartedMs)],
    ['fanOutAllStartedMs (first attempts)', ms(r.fanOutAllStartedMs)],
    ['fanOutAllDeliveredMs', ms(r.fanOutAllDeliveredMs)],
    ['fanOutDeliveriesPerSecond', r.fanOutDeliveriesPerSecond],
    ...(f.timedOut
      ? ([
          [
            'fan-out reached at deadline',
            `${f.reached.succeeded}/${N} succeeded, ${f.reached.firstAttemptsAtReceiver} first attempts, ${f.reached.workflowsStarted} workflows`,
          ],
        ] as [string, string][])
      : []),
    ['fanOutShards', r.fanOutShards],
    ['fanOutEventHistoryEvents', `${r.fanOutEventHistoryEvents ?? '-'} (limit ${TEMPORAL_LIMITS.historyEventsError})`],
    ['fanOutMaxShardHistoryEvents', `${r.fanOutMaxShardHistoryEvents ?? '-'} (limit ${TEMPORAL_LIMITS.historyEventsError})`],
    ['fan-out max pending children', `${r.fanOutMaxPendingChildren} (limit ${TEMPORAL_LIMITS.pendingChildrenError})`],
    ['fan-out shard: max wf tasks, max queue wait ms wf/act', `${f.shardWorkflows.maxWorkflowTasks}, ${f.shardWorkflows.maxWorkflowTaskQueueMs} / ${f.shardWorkflows.maxActivityQueueMs}`],
    ['fan-out failed / cancelled / repeated', `${f.reached.failed} / ${f.reached.cancelled} / ${f.repeatedDeliveries}`],
    ['fan-out cpu cores (w/g/t/bench)', c(f.cpu.cores)],
    ['fan-out cpu ms/delivery', c(f.cpu.msPerDelivery)],
    ['fan-out temporal persistence ops / delivery', f.temporalServer.persistenceOpsPerDelivery],
  ];
}
