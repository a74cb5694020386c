import type { Kysely, Transaction } from 'kysely';
import { eventWorkflowId, fifoQueueWorkflowId } from '../contract';
import { patternsMatching } from '../event-types';
import { type Filter, matchesFilter } from '../filters';
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
 * earlier event still `accepted` is fanned out here, before this one (its own workflow later finds
 * it done). Fan-out transactions take one lock row first, so that catching up is done once by
 * whoever holds it rather than raced by every waiting fan-out (which made a backlog quadratic on
 * PostgreSQL); SQLite serializes its writers anyway. Re-running it adds nothing.
 */
export async function recordFanOut(db: Kysely<Database>, eventId: string, shardSize: number, owner: string, onProgress: () => void): Promise<FanOutResult> {
  const fifo = new Set<string>();
  // An event only ever leaves `accepted`: one fanned out already (often by a later event catching
  // up) is read back without queueing for the lock behind other fan-outs.
  const status = (await db.selectFrom('events').select('status').where('id', '=', eventId).executeTakeFirst())?.status;
  let own: FannedOut | undefined = status === 'dispatched' ? await recordedFanOut(db, eventId) : undefined;
  while (!own) {
    own = await db.transaction().execute(async (trx) => {
      await trx.updateTable('fan_out_lock').set((eb) => ({ id: eb.ref('id') })).execute();
      const event = await trx.selectFrom('events').select(['seq', 'status']).where('id', '=', eventId).executeTakeFirst();
      if (event?.status !== 'accepted') return fanOutEvent(trx, eventId, owner, onProgress);
      const earlier = await earlierAccepted(trx, event.seq);
      for (const { id } of earlier) {
        for (const sub of (await fanOutEvent(trx, id, eventWorkflowId(id), onProgress)).fifoSubscriptions) fifo.add(sub);
      }
      // A long backlog is worked off a page per transaction, so no transaction grows without bound.
      return earlier.length < CATCH_UP_PAGE ? fanOutEvent(trx, eventId, owner, onProgress) : undefined;
    });
  }
  for (const id of own.fifoSubscriptions) fifo.add(id);
  const shards = [];
  for (let i = 0; i < own.ids.length; i += shardSize) {
    shards.push({ after: i === 0 ? null : own.ids[i - 1]!, upTo: own.ids[Math.min(i + shardSize, own.ids.length) - 1]! });
  }
  return { deliveries: own.ids.length, shards, fifoSubscriptions: [...fifo] };
}

interface FannedOut {
  ids: string[];
  fifoSubscriptions: string[];
}

/** Events accepted before `seq` and not fanned out yet, oldest first (a page of them). */
async function earlierAccepted(trx: Transaction<Database>, seq: number | null) {
  if (seq === null) return [];
  return trx
    .selectFrom('events')
    .select('id')
    .where('status', '=', 'accepted')
    .where('seq', '<', seq)
    .orderBy('seq')
    .orderBy('id')
    .limit(CATCH_UP_PAGE)
    .execute();
}

/**
 * One event's fan-out, in its transaction. Claiming the event (accepted → dispatched) comes first:
 * of two transactions fanning out the same event, the second waits on that row and then finds it
 * claimed, so no delivery and no sequence number is ever drawn twice.
 */
async function fanOutEvent(trx: Transaction<Database>, eventId: string, owner: string, onProgress: () => void): Promise<FannedOut> {
  const at = now();
  const claim = await trx.updateTable('events').set({ status: 'dispatched', dispatched_at: at }).where('id', '=', eventId).where('status', '=', 'accepted').executeTakeFirst();
  const event = await trx.selectFrom('events').select(['status', 'type', 'data', 'tenant_id', 'target_subscription_id']).where('id', '=', eventId).executeTakeFirst();
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
}

/**
 * The subscriptions an event reaches: active, of its tenant (every tenant for a broadcast),
 * matching its type and their payload filter, if any; a test event reaches its one subscription
 * whatever types and filter that has.
 */
async function matchingSubscriptions(db: Db, event: EventRow) {
  if (event.target_subscription_id !== null) return candidates(db, event);
  const data = JSON.parse(event.data) as Record<string, unknown>;
  return (await candidates(db, event)).filter((s) => s.filter === null || matchesFilter(JSON.parse(s.filter) as Filter, data));
}

async function candidates(db: Db, event: EventRow) {
  let query = db
    .selectFrom('subscriptions as s')
    .select(['s.id', 's.tenant_id', 's.filter'])
    .where('s.status', '=', 'active')
    .where('s.deleted_at', 'is', null)
    .orderBy('s.id');
  if (event.tenant_id !== null) query = query.where('s.tenant_id', '=', event.tenant_id);
  if (event.target_subscription_id !== null) return query.where('s.id', '=', event.target_subscription_id).execute();
  const patterns = patternsMatching(event.type);
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
