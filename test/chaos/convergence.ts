import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema';
import type { Api } from './producer';
import type { ChaosReceiver } from './receivers';

/** Everything the end state is judged on: the ledger, Temporal, the receivers and the gateway. */
export interface ChaosWorld {
  db: Kysely<Database>;
  client: Client;
  api: Api;
  eventIds: string[];
  subscribers: { subscriptionId: string; receiver: ChaosReceiver; fifo?: boolean }[];
  bulkRetryId: string | undefined;
}

/** The reconciler's schedule keeps starting these; they are not deliveries left behind. */
const RUNNING_OURS = 'ExecutionStatus="Running" AND WorkflowType != "reconcileWorkflow"';
const SHOWN = 5;

const summarize = (what: string, items: string[]) => `${items.length} ${what}: ${items.slice(0, SHOWN).join(', ')}${items.length > SHOWN ? ', …' : ''}`;

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

async function readLedger(db: Kysely<Database>) {
  const [events, deliveries, attempts] = await Promise.all([
    db.selectFrom('events').select(['id', 'status']).execute(),
    db.selectFrom('deliveries').select(['id', 'event_id', 'subscription_id', 'status']).execute(),
    db.selectFrom('attempts').select(['delivery_id', 'outcome']).execute(),
  ]);
  const successes = countBy(
    attempts.filter((a) => a.outcome === 'succeeded'),
    (a) => a.delivery_id,
  );
  return { events, deliveries, attempts, successes };
}

/** Every event dispatched; one delivery per (event, subscriber), each succeeded with exactly one succeeded attempt. */
async function ledgerProblems(world: ChaosWorld): Promise<string[]> {
  const { events, deliveries, attempts, successes } = await readLedger(world.db);
  const problems: string[] = [];
  const dispatched = new Set(events.filter((e) => e.status === 'dispatched').map((e) => e.id));
  const undispatched = world.eventIds.filter((id) => !dispatched.has(id));
  if (undispatched.length > 0) problems.push(summarize('events not dispatched in the ledger', undispatched));
  const pairs = new Set(deliveries.map((d) => `${d.event_id}/${d.subscription_id}`));
  const missing = world.eventIds.flatMap((e) => world.subscribers.map((s) => `${e}/${s.subscriptionId}`)).filter((p) => !pairs.has(p));
  if (missing.length > 0) problems.push(summarize('(event, subscriber) pairs without a delivery', missing));
  const unfinished = deliveries.filter((d) => d.status !== 'succeeded');
  if (unfinished.length > 0) {
    problems.push(`${unfinished.length} deliveries not succeeded: ${JSON.stringify(countBy(unfinished, (d) => d.status))}`);
  }
  const unsettled = attempts.filter((a) => a.outcome === 'sending' || a.outcome === 'awaiting_confirmation').map((a) => `${a.delivery_id}:${a.outcome}`);
  if (unsettled.length > 0) problems.push(summarize('attempts never settled', unsettled));
  const notOnce = deliveries.filter((d) => successes[d.id] !== 1).map((d) => `${d.id}×${successes[d.id] ?? 0}`);
  if (notOnce.length > 0) problems.push(summarize('deliveries without exactly one succeeded attempt', notOnce));
  return problems;
}

function receiverProblems(world: ChaosWorld): string[] {
  return world.subscribers.flatMap(({ receiver }) => {
    const got = receiver.succeededIds();
    const missing = world.eventIds.filter((id) => !got.has(id));
    return missing.length > 0 ? [summarize(`events the ${receiver.name} receiver never answered 2xx`, missing)] : [];
  });
}

/**
 * A FIFO receiver sees webhook-sequence never go down: a request may repeat (a retry, or a resend
 * after a lost worker), but the next delivery only ever starts after the previous one ended.
 */
function orderProblems(world: ChaosWorld): string[] {
  return world.subscribers.flatMap(({ receiver, fifo }) => {
    if (!fifo) return [];
    const sequences = receiver.http.requests.map((r) => Number(r.headers['webhook-sequence']));
    const backwards = sequences.flatMap((n, i) => (i > 0 && n < sequences[i - 1]! ? [`#${n} after #${sequences[i - 1]}`] : []));
    return backwards.length > 0 ? [summarize(`requests to the FIFO ${receiver.name} receiver out of sequence order`, backwards)] : [];
  });
}

async function runningWorkflows(client: Client): Promise<string[]> {
  const found: string[] = [];
  for await (const wf of client.workflow.list({ query: RUNNING_OURS, pageSize: 50 })) {
    found.push(`${wf.workflowId} (${wf.type})`);
    if (found.length >= 50) break;
  }
  return found;
}

async function temporalProblems(world: ChaosWorld): Promise<string[]> {
  const running = await runningWorkflows(world.client);
  return running.length > 0 ? [summarize('workflows still running in Temporal', running)] : [];
}

/** The bulk retry job must have completed although the gateway that started it was killed. */
export async function bulkRetryProblems(world: ChaosWorld): Promise<string[]> {
  if (world.bulkRetryId === undefined) return ['the bulk retry answered no job id'];
  const res = await world.api('GET', `/v1/retries/${world.bulkRetryId}`).catch((err: Error) => err);
  if (res instanceof Error) return [`bulk retry progress unreadable: ${res.message}`];
  if (res.status !== 200) return [`GET /v1/retries/${world.bulkRetryId} answered ${res.status}`];
  return res.body.status === 'completed' ? [] : [`bulk retry ${world.bulkRetryId} is ${String(res.body.status)}`];
}

/**
 * What still differs from every (event, subscriber) delivered exactly once with nothing left
 * running; empty once converged.
 */
export async function deliveryProblems(world: ChaosWorld): Promise<string[]> {
  const parts = await Promise.all([
    ledgerProblems(world),
    Promise.resolve(receiverProblems(world)),
    Promise.resolve(orderProblems(world)),
    temporalProblems(world).catch((err: Error) => [`Temporal list failed: ${err.message}`]),
  ]);
  return parts.flat();
}

/** The run's figures, for the test output. */
export async function figures(world: ChaosWorld) {
  const { events, deliveries, attempts, successes } = await readLedger(world.db);
  const reconcileRuns = await world.client.workflow.count('WorkflowType = "reconcileWorkflow"').then(
    (c) => c.count,
    (err: Error) => `unknown (${err.message})`,
  );
  return {
    events: events.length,
    deliveries: deliveries.length,
    deliveriesByStatus: countBy(deliveries, (d) => d.status),
    attempts: attempts.length,
    attemptsByOutcome: countBy(attempts, (a) => a.outcome),
    deliveriesWithMoreThanOneSuccess: Object.values(successes).filter((n) => n > 1).length,
    requestsReceived: Object.fromEntries(world.subscribers.map(({ receiver }) => [receiver.name, receiver.requestCount])),
    duplicatesAtReceivers: Object.fromEntries(world.subscribers.map(({ receiver }) => [receiver.name, receiver.duplicates()])),
    reconcileRuns,
  };
}
