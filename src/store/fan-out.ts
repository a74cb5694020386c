import { type Kysely, PostgresAdapter, type Transaction } from 'kysely';
import { eventWorkflowId, fifoQueueWorkflowId } from '../contract';
import { patternsMatching } from '../filters/event-types';
import { type Filter, type Receivable, receives } from '../filters';
import { INSERT_CHUNK, now, pendingDeliveryRow } from './rows';
import type { Database } from './schema';

export interface FanOutResult {
  deliveries: number;
  shards: { after: string | null; upTo: string }[];
  /** FIFO subscriptions that got deliveries (also of earlier events fanned out first): their queues need waking. */
  fifoSubscriptions: string[];
}

type Db = Kysely<Database> | Transaction<Database>;

/** Earlier events fanned out per transaction while catching up. */
const CATCH_UP_PAGE = 50;

/**
 * Records an event's fan-out in acceptance order. Sequence numbers are drawn per subscription in
 * the fan-out transaction, so an event accepted before another must be fanned out first: any
 * earlier event still `accepted` that reaches the same subscriptions is fanned out here, before
 * this one (its own workflow later finds it done). A tenant's event reaches only its tenant's
 * subscriptions, so it locks only its tenant (fan-outs of other tenants run meanwhile) and catches
 * up only its tenant's earlier events; a broadcast reaches every tenant's, so it takes the global lock
 * (no tenant's fan-out runs meanwhile) and catches up every earlier event (`lockScope`). Catching up is done once by whoever holds the lock
 * rather than raced by every waiting fan-out (which made a backlog quadratic on PostgreSQL); SQLite
 * serializes its writers anyway. Re-running it adds nothing.
 */
export async function recordFanOut(db: Kysely<Database>, eventId: string, shardSize: number, owner: string, onProgress: () => void): Promise<FanOutResult> {
  const run: FanOutRun = { eventId, owner, onProgress, fifo: new Set<string>() };
  // An event only ever leaves `accepted`: one fanned out already (often by a later event catching
  // up) is read back without queueing for the lock behind other fan-outs.
  const head = await db.selectFrom('events').select(['status', 'tenant_id', 'seq']).where('id', '=', eventId).executeTakeFirst();
  let own: FannedOut | undefined = head?.status === 'dispatched' ? await recordedFanOut(db, eventId) : undefined;
  let scope: Scope = own || !head ? GLOBAL : await firstScope(db, head);
  while (!own) {
    const step = await db.transaction().execute((trx) => fanOutStep(trx, run, scope));
    if (step === GLOBAL) scope = GLOBAL;
    else own = step;
  }
  for (const id of own.fifoSubscriptions) run.fifo.add(id);
  const shards = [];
  for (let i = 0; i < own.ids.length; i += shardSize) {
    shards.push({ after: i === 0 ? null : own.ids[i - 1]!, upTo: own.ids[Math.min(i + shardSize, own.ids.length) - 1]! });
  }
  return { deliveries: own.ids.length, shards, fifoSubscriptions: [...run.fifo] };
}

/** What one recordFanOut call fans out, and the FIFO subscriptions it has given deliveries so far. */
interface FanOutRun {
  eventId: string;
  owner: string;
  onProgress: () => void;
  fifo: Set<string>;
}

/** The lock a fan-out transaction takes: one tenant's (its id), or every tenant's. */
const GLOBAL = Symbol('global');
type Scope = string | typeof GLOBAL;

/**
 * One fan-out transaction: the lock of `scope`, then a page of the earlier events still accepted
 * in that scope, then (once none is left) the event itself. undefined: more pages to catch up;
 * GLOBAL: a tenant's event found an earlier broadcast waiting, which only the global path may fan
 * out (under a tenant's lock it would draw other tenants' numbers ahead of their earlier events).
 */
async function fanOutStep(trx: Transaction<Database>, run: FanOutRun, scope: Scope): Promise<FannedOut | typeof GLOBAL | undefined> {
  await lockScope(trx, scope);
  const event = await trx.selectFrom('events').select(['seq', 'status']).where('id', '=', run.eventId).executeTakeFirst();
  if (event?.status !== 'accepted') return fanOutEvent(trx, run.eventId, run.owner, run.onProgress);
  const earlier = await earlierAccepted(trx, event.seq, scope);
  if (scope !== GLOBAL && earlier.some((e) => e.tenant_id === null)) return GLOBAL;
  for (const { id } of earlier) {
    for (const sub of (await fanOutEvent(trx, id, eventWorkflowId(id), run.onProgress)).fifoSubscriptions) run.fifo.add(sub);
  }
  // A long backlog is worked off a page per transaction, so no transaction grows without bound.
  return earlier.length < CATCH_UP_PAGE ? fanOutEvent(trx, run.eventId, run.owner, run.onProgress) : undefined;
}

/**
 * Takes the fan-out lock of `scope`, first thing in the transaction. A broadcast locks the one
 * `fan_out_lock` row exclusively; a tenant's event holds that row FOR SHARE (so no broadcast runs
 * meanwhile, while other tenants' fan-outs share it) and locks its tenant's row, created on first
 * use. SQLite has no row locks (nor FOR SHARE): its transactions begin IMMEDIATE and run one at a
 * time, so there the same steps just run in turn.
 *
 * No deadlock on PostgreSQL: every fan-out takes its locks in one order, global row → tenant row →
 * event rows → subscription rows, and takes the global row before anything else. A broadcast waits
 * for the global row holding nothing; once it has it exclusively no tenant fan-out is under way.
 * Tenant fan-outs of one tenant queue on its row before touching any event or subscription; those
 * of different tenants write disjoint rows (a tenant's event claims only its tenant's events and
 * draws only its tenant's subscriptions' numbers), so they never wait on each other at all.
 */
async function lockScope(trx: Transaction<Database>, scope: Scope): Promise<void> {
  if (scope === GLOBAL) {
    await trx.updateTable('fan_out_lock').set((eb) => ({ id: eb.ref('id') })).execute();
    return;
  }
  if (trx.getExecutor().adapter instanceof PostgresAdapter) await trx.selectFrom('fan_out_lock').select('id').forShare().execute();
  await trx
    .insertInto('fan_out_tenant_locks')
    .values({ tenant_id: scope })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet((eb) => ({ tenant_id: eb.ref('excluded.tenant_id') })))
    .execute();
}

interface FannedOut {
  ids: string[];
  fifoSubscriptions: string[];
}

/**
 * Events accepted before `seq` and not fanned out yet, oldest first (a page of them): of any tenant
 * for the global path; for a tenant's, its own and broadcasts (which send it back to the global path).
 */
async function earlierAccepted(trx: Transaction<Database>, seq: number | null, scope: Scope) {
  if (seq === null) return [];
  let query = trx.selectFrom('events').select(['id', 'tenant_id']).where('status', '=', 'accepted').where('seq', '<', seq);
  if (scope !== GLOBAL) query = query.where((eb) => eb.or([eb('tenant_id', '=', scope), eb('tenant_id', 'is', null)]));
  return query.orderBy('seq').orderBy('id').limit(CATCH_UP_PAGE).execute();
}

/**
 * The lock to try first: a broadcast's is the global one; a tenant's event's is its tenant's, unless
 * a broadcast accepted before it still waits for its fan-out. That check, read without a lock, only
 * sends the event straight to the global path: while a broadcast waits for the global row, later
 * events queue behind it instead of taking the row FOR SHARE one after another (PostgreSQL lets new
 * share lockers pass a waiting writer, so they could starve it). The check that counts is repeated
 * under the lock (fanOutStep): it also finds a broadcast with a smaller seq that commits after this
 * read (seq is drawn from committed rows, so concurrent inserts can commit out of seq order).
 */
async function firstScope(db: Db, event: { tenant_id: string | null; seq: number | null }): Promise<Scope> {
  if (event.tenant_id === null) return GLOBAL;
  if (event.seq === null) return event.tenant_id;
  const broadcast = await db
    .selectFrom('events')
    .select('id')
    .where('status', '=', 'accepted')
    .where('tenant_id', 'is', null)
    .where('seq', '<', event.seq)
    .limit(1)
    .executeTakeFirst();
  return broadcast ? GLOBAL : event.tenant_id;
}

/**
 * One event's fan-out, in its transaction. Claiming the event (accepted → dispatched) comes first:
 * of two transactions fanning out the same event, the second waits on that row and then finds it
 * claimed, so no delivery and no sequence number is ever drawn twice.
 */
async function fanOutEvent(trx: Transaction<Database>, eventId: string, owner: string, onProgress: () => void): Promise<FannedOut> {
  const at = now();
  const claim = await trx.updateTable('events').set({ status: 'dispatched', dispatched_at: at }).where('id', '=', eventId).where('status', '=', 'accepted').executeTakeFirst();
  const event = await trx.selectFrom('events').select(['status', 'type', 'data', 'tenant_id', 'target_subscription_id', 'about_subscription_id']).where('id', '=', eventId).executeTakeFirst();
  if (!event || event.status === 'cancelled') return { ids: [], fifoSubscriptions: [] };
  if (claim.numUpdatedRows === 0n) return recordedFanOut(trx, eventId);
  const subscriptions = await matchingSubscriptions(trx, event);
  const fifoSubscriptions: string[] = [];
  for (let i = 0; i < subscriptions.length; i += INSERT_CHUNK) {
    const numbered = await drawSequences(trx, subscriptions.slice(i, i + INSERT_CHUNK));
    const rows = numbered.map((s) => {
      if (s.ordering === 'fifo') fifoSubscriptions.push(s.id);
      const rowOwner = s.ordering === 'fifo' ? fifoQueueWorkflowId(s.id) : owner;
      return { ...pendingDeliveryRow({ id: eventId, type: event.type }, { id: s.id, tenantId: s.tenant_id }, at, rowOwner), sequence: s.last_sequence };
    });
    if (rows.length > 0) await trx.insertInto('deliveries').values(rows).execute();
    onProgress();
  }
  return { ids: subscriptions.map((s) => s.id), fifoSubscriptions: await wakeQueues(trx, fifoSubscriptions) };
}

/**
 * Marks the FIFO queues that got deliveries awake and returns those that were asleep: only they
 * need a signal. The row is already locked by drawing sequences, so a queue that is going to sleep
 * (store/fifo-queue.ts) either sees these deliveries or is seen asleep here.
 */
async function wakeQueues(trx: Transaction<Database>, subscriptionIds: string[]): Promise<string[]> {
  if (subscriptionIds.length === 0) return [];
  const woken = await trx
    .updateTable('subscriptions')
    .set({ queue_awake: 1 })
    .where('id', 'in', subscriptionIds)
    .where('queue_awake', '=', 0)
    .returning('id')
    .execute();
  return woken.map((r) => r.id);
}

/** A fan-out recorded before (by this event's workflow or by a later event catching up). */
async function recordedFanOut(db: Db, eventId: string): Promise<FannedOut> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['subscription_id', 'owner'])
    .where('event_id', '=', eventId)
    .orderBy('subscription_id')
    .execute();
  const fifoSubscriptions = rows.filter((r) => r.owner === fifoQueueWorkflowId(r.subscription_id)).map((r) => r.subscription_id);
  return { ids: rows.map((r) => r.subscription_id), fifoSubscriptions };
}

interface EventRow {
  type: string;
  data: string;
  tenant_id: string | null;
  target_subscription_id: string | null;
  about_subscription_id: string | null;
}

/**
 * The subscriptions an event reaches (filters/receives.ts decides), among the active ones. The
 * query narrows to the candidates by the same rule through the ledger's indexes: tenant, the
 * endpoint an operational event is about, a test event's target, and the event type's patterns.
 */
async function matchingSubscriptions(db: Db, event: EventRow) {
  const received: Receivable = {
    type: event.type,
    data: JSON.parse(event.data) as Record<string, unknown>,
    tenantId: event.tenant_id,
    targetSubscriptionId: event.target_subscription_id,
    aboutSubscriptionId: event.about_subscription_id,
  };
  // Each candidate has one of these patterns (the query's join): they stand for its types here.
  const eventTypes = patternsMatching(event.type);
  return (await candidates(db, event, eventTypes)).filter((s) =>
    receives({ id: s.id, tenantId: s.tenant_id, eventTypes, filter: s.filter === null ? null : (JSON.parse(s.filter) as Filter) }, received),
  );
}

async function candidates(db: Db, event: EventRow, patterns: string[]) {
  let query = db
    .selectFrom('subscriptions as s')
    .select(['s.id', 's.tenant_id', 's.filter'])
    .where('s.status', '=', 'active')
    .where('s.deleted_at', 'is', null)
    .orderBy('s.id');
  if (event.tenant_id !== null) query = query.where('s.tenant_id', '=', event.tenant_id);
  // An operational event never reaches the endpoint it is about: a failing endpoint cannot feed itself.
  if (event.about_subscription_id !== null) query = query.where('s.id', '<>', event.about_subscription_id);
  if (event.target_subscription_id !== null) return query.where('s.id', '=', event.target_subscription_id).execute();
  return query
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('subscription_event_types as t').select('t.subscription_id').whereRef('t.subscription_id', '=', 's.id').where('t.pattern', 'in', patterns)),
    )
    .execute();
}

/** The next sequence number of each subscription, drawn in this transaction (its row stays locked until commit). */
export async function drawSequences(trx: Transaction<Database>, subscriptions: { id: string }[]) {
  if (subscriptions.length === 0) return [];
  const drawn = await trx
    .updateTable('subscriptions')
    .set((eb) => ({ last_sequence: eb('last_sequence', '+', 1) }))
    .where('id', 'in', subscriptions.map((s) => s.id))
    .returning(['id', 'tenant_id', 'last_sequence', 'ordering'])
    .execute();
  return drawn.sort((a, b) => (a.id < b.id ? -1 : 1));
}
