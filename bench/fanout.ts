// The large fan-out phase: N subscribers to one event type, ONE event posted through the gateway,
// and how long the stack takes to record, start and deliver all N deliveries. Enabled by
// BENCH_FANOUT_SUBSCRIBERS > 0; see bench/run.ts for the parameters.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import SQLite from 'better-sqlite3';
import { newId } from '../src/core/ids';
import { generateSecret } from '../src/security/signing';
import { subscriptionRows } from '../src/store/ledger';
import type { SubscriptionEventTypesTable, SubscriptionsTable } from '../src/store/schema';
import { eventWorkflowId } from '../src/contract';
import { type PhaseResult, phaseWindow } from './measure';
import { peakRssMb } from './procs';
import type { BenchReceiver } from './receiver';
import { round } from './report';
import { deathCheck, type Stack } from './stack';

/** Matched by the fan-out subscriptions only: the other phases' subscriptions take `bench.*`. */
export const FANOUT_EVENT_TYPE = 'benchfanout.created';
/** `<phase>-<n>` like every bench event id, so the receiver counts its first attempts apart. */
export const FANOUT_EVENT_ID = 'fanout-000000';
const FANOUT_PHASE = 'fanout';

/** Temporal's default per-workflow limits (self-hosted and dev server), for the report. */
export const TEMPORAL_LIMITS = {
  /** limit.historyCount.error; warnings start at limit.historyCount.warn = 10,240. */
  historyEventsError: 51_200,
  historyEventsWarn: 10_240,
  /** limit.numPendingChildExecutions.error */
  pendingChildrenError: 2_000,
};

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

// ---------------------------------------------------------------------------------------------
// Setup: subscriptions written straight into the ledger file

/** One `subscriptions` row exactly as the ledger stores it: the ledger's own row builder. */
function subscriptionRow(url: string, eventTypes: string[], at: string) {
  const input = { tenantId: 'default', url, eventTypes, description: 'bench fan-out', secret: generateSecret() };
  return subscriptionRows(input, newId.subscription(), at).subscription;
}

/** Fails if the ledger's table and the rows written here no longer have the same columns. */
function assertColumns(db: SQLite.Database, table: string, written: string[]): void {
  const actual = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).sort();
  const mine = [...written].sort();
  if (actual.join(',') !== mine.join(',')) {
    throw new Error(
      `bench fan-out setup: ${table} has columns [${actual.join(', ')}] but bench/fanout.ts writes [${mine.join(', ')}]; ` +
        'bring it in line with src/store/schema.ts',
    );
  }
}

function insertStatement(db: SQLite.Database, table: string, columns: string[]): SQLite.Statement {
  return db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
}

export interface SetupResult {
  /** Subscription ids in insertion order (ascending: ULIDs from a monotonic factory). */
  ids: string[];
  /** Open, build, insert and commit. */
  ms: number;
}

/**
 * Creates `count` active subscriptions to `eventType`, subscription i delivering to `urlFor(i)`,
 * in ONE write transaction on a separate writable handle to the ledger file (the HTTP API would
 * take minutes for 100,000). The gateway and worker have the file open too: WAL lets them read on,
 * and their busy timeout (10 s) waits out this transaction's write lock.
 */
export function insertSubscriptions(
  file: string,
  count: number,
  eventType: string,
  urlFor: (i: number) => string,
  overrides: Partial<Pick<SubscriptionsTable, 'confirmation_timeout_ms' | 'description'>> = {},
): SetupResult {
  const t0 = performance.now();
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 30000');
    db.pragma('foreign_keys = ON');
    const at = new Date().toISOString();
    const row = (i: number) => ({ ...subscriptionRow(urlFor(i), [eventType], at), ...overrides });
    const probe = row(0);
    const typeRow = (subscriptionId: string): SubscriptionEventTypesTable => ({ subscription_id: subscriptionId, pattern: eventType });
    const subColumns = Object.keys(probe);
    const typeColumns = Object.keys(typeRow(probe.id));
    assertColumns(db, 'subscriptions', subColumns);
    assertColumns(db, 'subscription_event_types', typeColumns);
    const insertSub = insertStatement(db, 'subscriptions', subColumns);
    const insertType = insertStatement(db, 'subscription_event_types', typeColumns);
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const sub = i === 0 ? probe : row(i);
        insertSub.run(sub);
        insertType.run(typeRow(sub.id));
        ids.push(sub.id);
      }
    }).immediate();
    return { ids, ms: round(performance.now() - t0) };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Histories

interface HistoryStats {
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

export function historyStats(events: HistoryEvent[]): HistoryStats {
  let pending = 0;
  let maxPending = 0;
  const childWorkflowIds: string[] = [];
  let childrenStarted = 0;
  let lastChildInitiatedAt: number | null = null;
  let lastChildStartedAt: number | null = null;
  let workflowTasks = 0;
  let maxWorkflowTaskQueueMs = 0;
  let maxActivityQueueMs = 0;
  const timeOf = new Map<string, number>();
  const latest = (prev: number | null, at: number | undefined) => (at === undefined ? prev : Math.max(prev ?? 0, at));
  for (const e of events) {
    const at = optionalTsToMs(e.eventTime);
    if (at !== undefined) timeOf.set(String(e.eventId), at);
    const queued = (scheduledEventId: unknown) => {
      const scheduled = timeOf.get(String(scheduledEventId));
      return at === undefined || scheduled === undefined ? 0 : at - scheduled;
    };
    if (e.workflowTaskStartedEventAttributes) {
      maxWorkflowTaskQueueMs = Math.max(maxWorkflowTaskQueueMs, queued(e.workflowTaskStartedEventAttributes.scheduledEventId));
    } else if (e.workflowTaskCompletedEventAttributes) {
      workflowTasks += 1;
    } else if (e.activityTaskStartedEventAttributes) {
      maxActivityQueueMs = Math.max(maxActivityQueueMs, queued(e.activityTaskStartedEventAttributes.scheduledEventId));
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      pending += 1;
      maxPending = Math.max(maxPending, pending);
      childWorkflowIds.push(e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '');
      lastChildInitiatedAt = latest(lastChildInitiatedAt, at);
    } else if (e.childWorkflowExecutionStartedEventAttributes) {
      childrenStarted += 1;
      lastChildStartedAt = latest(lastChildStartedAt, at);
    } else if (
      e.startChildWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes ||
      e.childWorkflowExecutionTimedOutEventAttributes ||
      e.childWorkflowExecutionTerminatedEventAttributes
    ) {
      pending -= 1;
    }
  }
  const last = events[events.length - 1];
  const closed = Boolean(
    last &&
      (last.workflowExecutionCompletedEventAttributes ||
        last.workflowExecutionFailedEventAttributes ||
        last.workflowExecutionCanceledEventAttributes ||
        last.workflowExecutionTerminatedEventAttributes ||
        last.workflowExecutionTimedOutEventAttributes ||
        last.workflowExecutionContinuedAsNewEventAttributes),
  );
  return {
    events: events.length,
    maxPendingChildren: maxPending,
    childWorkflowIds,
    childrenStarted,
    lastChildInitiatedAt,
    lastChildStartedAt,
    workflowTasks,
    maxWorkflowTaskQueueMs,
    maxActivityQueueMs,
    closed,
  };
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

// ---------------------------------------------------------------------------------------------
// The phase

export interface FanOutOptions {
  subscribers: number;
  /** Per milestone deadline, counted from the event's 202. */
  timeoutSeconds: number;
  say: (message: string) => void;
}

interface Sample {
  /** Seconds since the event was accepted. */
  s: number;
  attempted: number;
  firstAttempts: number;
  succeeded: number;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  const ledger = stack.ledger;
  const eventStatus = ledger.prepare('SELECT status FROM events WHERE id = ?').pluck();
  const recordedCount = ledger.prepare('SELECT count(*) FROM deliveries WHERE event_id = ?').pluck();
  const statusCounts = ledger.prepare('SELECT status, count(*) AS n FROM deliveries WHERE event_id = ? GROUP BY status');

  const repeatsBefore = receiver.repeats;
  const usage = await phaseWindow(stack);
  await stack.api.publish(FANOUT_EVENT_ID, 0, FANOUT_EVENT_TYPE);
  const t0 = performance.now();
  const acceptedAtWallMs = Date.now();
  const deadline = t0 + timeoutSeconds * 1000;
  const since = () => round(performance.now() - t0);
  say(`fan-out: event ${FANOUT_EVENT_ID} accepted; deadline ${timeoutSeconds} s`);

  let recorded = 0;
  let recordedMs: number | null = null;
  let allAttemptedMs: number | null = null;
  let allStartedMs: number | null = null;
  let deliveredMs: number | null = null;
  let lastSuccessMs: number | null = null;
  let counts = { attempted: 0, succeeded: 0, failed: 0, cancelled: 0 };
  const timeline: Sample[] = [];

  // The grouped count reads every delivery row of the event: spaced out as N grows.
  const ledgerEveryMs = Math.min(1_000, Math.max(100, N / 50));
  const sampleEveryMs = 10_000;
  const sayEveryMs = 15_000;
  let nextLedger = 0;
  let nextSample = t0 + sampleEveryMs;
  let nextSay = t0 + sayEveryMs;
  let timedOut = false;

  const sample = (): Sample => ({
    s: round(since() / 1000, 1),
    attempted: counts.attempted,
    firstAttempts: receiver.firstAttempts(FANOUT_PHASE),
    succeeded: counts.succeeded,
  });

  for (;;) {
    const now = performance.now();
    deathCheck(stack.temporal, stack.gateway, stack.worker);

    if (recordedMs === null && eventStatus.get(FANOUT_EVENT_ID) === 'dispatched') {
      // Set in the same transaction as the delivery rows: they are all there now.
      recorded = recordedCount.get(FANOUT_EVENT_ID) as number;
      recordedMs = since();
      say(`fan-out: ${recorded} deliveries recorded after ${recordedMs} ms`);
      if (recorded !== N) say(`fan-out: WARNING the ledger recorded ${recorded} deliveries for ${N} subscriptions`);
    }

    if (allStartedMs === null && receiver.firstAttempts(FANOUT_PHASE) >= N) allStartedMs = since();

    if (now >= nextLedger) {
      nextLedger = now + ledgerEveryMs;
      const rows = statusCounts.all(FANOUT_EVENT_ID) as { status: string; n: number }[];
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
      const total = rows.reduce((a, r) => a + r.n, 0);
      const before = counts.succeeded;
      counts = { attempted: total - (by.pending ?? 0), succeeded: by.succeeded ?? 0, failed: by.failed ?? 0, cancelled: by.cancelled ?? 0 };
      if (counts.succeeded > before) lastSuccessMs = since();
      if (allAttemptedMs === null && recordedMs !== null && total >= N && counts.attempted >= N) allAttemptedMs = since();
      if (deliveredMs === null && counts.succeeded >= N) deliveredMs = since();
    }

    if (now >= nextSample) {
      nextSample += sampleEveryMs;
      timeline.push(sample());
    }
    if (now >= nextSay) {
      nextSay += sayEveryMs;
      const s = sample();
      say(
        `fan-out: ${s.s} s: attempted ${s.attempted}, at receiver ${s.firstAttempts}, ` +
          `succeeded ${s.succeeded}${counts.failed || counts.cancelled ? `, failed ${counts.failed}, cancelled ${counts.cancelled}` : ''} of ${N}`,
      );
    }

    // Every recorded delivery settled (succeeded, or ended badly: reported, not thrown).
    if (recordedMs !== null && recorded > 0 && counts.succeeded + counts.failed + counts.cancelled >= recorded) break;
    if (now >= deadline) {
      timedOut = true;
      break;
    }
    await sleep(50);
  }
  const elapsedMs = since();
  if (allStartedMs === null && receiver.firstAttempts(FANOUT_PHASE) >= N) allStartedMs = elapsedMs;
  timeline.push(sample());
  const cost = await usage(Math.max(1, counts.succeeded));
  const repeatedDeliveries = receiver.repeats - repeatsBefore;
  const firstAttempts = receiver.firstAttempts(FANOUT_PHASE);
  say(
    timedOut
      ? `fan-out: deadline passed after ${round(elapsedMs / 1000)} s: ${counts.succeeded}/${N} succeeded, ${firstAttempts} first attempts`
      : `fan-out: all ${N} settled after ${round(elapsedMs / 1000)} s (${counts.succeeded} succeeded)`,
  );

  // Histories. After a complete run the shards and the event close within moments; after a
  // deadline they are still running and their histories so far are what there is.
  const eventId = eventWorkflowId(FANOUT_EVENT_ID);
  if (!timedOut && !(await closedWithin(stack.client, eventId, 120_000))) say('fan-out: the event workflow did not close within 120 s');
  const event = await fetchStats(stack.client, eventId);
  const shardIds = event.childWorkflowIds;
  say(`fan-out: reading the histories of the event workflow and its ${shardIds.length} shards`);
  const shards: HistoryStats[] = [];
  let next = 0;
  const lane = async () => {
    while (next < shardIds.length) shards.push(await fetchStats(stack.client, shardIds[next++]!));
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  const shardEvents = shards.map((s) => s.events);
  const maxShardEvents = shards.length > 0 ? Math.max(...shardEvents) : null;
  const maxShardPending = Math.max(0, ...shards.map((s) => s.maxPendingChildren));
  const workflowsStarted = shards.reduce((a, s) => a + s.childrenStarted, 0);
  const lastStart = Math.max(0, ...shards.map((s) => s.lastChildStartedAt ?? 0));
  const lastInitiated = Math.max(0, ...shards.map((s) => s.lastChildInitiatedAt ?? 0));
  const allWorkflowsStartedMs = workflowsStarted >= N && lastStart > 0 ? round(lastStart - acceptedAtWallMs) : null;

  const seconds = (timedOut ? elapsedMs : (lastSuccessMs ?? elapsedMs)) / 1000;
  return {
    fanOutSubscribers: N,
    fanOutSetupMs: setup.ms,
    fanOutRecordedMs: recordedMs,
    fanOutAllStartedMs: allStartedMs,
    fanOutAllDeliveredMs: deliveredMs,
    fanOutDeliveriesPerSecond: round(counts.succeeded / Math.max(0.001, seconds)),
    fanOutEventHistoryEvents: event.events,
    fanOutMaxShardHistoryEvents: maxShardEvents,
    fanOutShards: shardIds.length,
    fanOutMaxPendingChildren: Math.max(event.maxPendingChildren, maxShardPending),
    fanOut: {
      completed: !timedOut && counts.succeeded + counts.failed + counts.cancelled >= recorded && recorded > 0,
      timedOut,
      timeoutSeconds,
      reached: {
        recorded,
        workflowsStarted,
        attempted: counts.attempted,
        firstAttemptsAtReceiver: firstAttempts,
        succeeded: counts.succeeded,
        failed: counts.failed,
        cancelled: counts.cancelled,
      },
      elapsedMs,
      allWorkflowsStartedMs,
      allAttemptedMs,
      deliveriesPerSecondAfterRecorded:
        deliveredMs !== null && recordedMs !== null ? round(N / Math.max(0.001, (deliveredMs - recordedMs) / 1000)) : null,
      eventWorkflow: {
        historyEvents: event.events,
        maxPendingChildren: event.maxPendingChildren,
        workflowTasks: event.workflowTasks,
        maxActivityQueueMs: event.maxActivityQueueMs,
        closed: event.closed,
      },
      shardWorkflows: {
        count: shards.length,
        minHistoryEvents: shards.length > 0 ? Math.min(...shardEvents) : null,
        maxHistoryEvents: maxShardEvents,
        maxPendingChildren: maxShardPending,
        maxWorkflowTasks: Math.max(0, ...shards.map((s) => s.workflowTasks)),
        deliveryChildren: shards.reduce((a, s) => a + s.childWorkflowIds.length, 0),
        lastChildInitiatedMs: lastInitiated > 0 ? round(lastInitiated - acceptedAtWallMs) : null,
        maxWorkflowTaskQueueMs: Math.max(0, ...shards.map((s) => s.maxWorkflowTaskQueueMs)),
        maxActivityQueueMs: Math.max(0, ...shards.map((s) => s.maxActivityQueueMs)),
        allClosed: shards.every((s) => s.closed),
      },
      limits: TEMPORAL_LIMITS,
      repeatedDeliveries,
      cpu: cost.cpu,
      temporalServer: cost.temporal,
      peakRssMb: { worker: peakRssMb(stack.worker.pid), gateway: peakRssMb(stack.gateway.pid), temporal: peakRssMb(stack.temporal.pid) },
      timeline,
    },
  };
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
