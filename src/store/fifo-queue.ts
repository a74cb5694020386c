import type { Kysely } from 'kysely';
import { fifoQueueWorkflowId, type QueuedDelivery } from '../contract';
import { now, toPrepared } from './rows';
import { type LedgerObserver, NO_OBSERVER } from './observer';
import type { Database } from './schema';

/**
 * A FIFO subscription's queue: its pending deliveries owned by the queue workflow, lowest sequence
 * first. A retried delivery rejoins it by its own sequence number, ahead of those not yet started.
 */
export class FifoQueueQueries {
  constructor(
    readonly db: Kysely<Database>,
    readonly observer: LedgerObserver = NO_OBSERVER,
  ) {}

  /**
   * The next page of the queue, in one transaction that first locks the subscription's row: a
   * fan-out adding to the queue holds the same lock, so either this read sees its deliveries or
   * the queue is marked asleep before the fan-out looks (and then signals it).
   */
  async loadQueue(subscriptionId: string, limit: number): Promise<QueuedDelivery[]> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('subscriptions').set((eb) => ({ queue_awake: eb.ref('queue_awake') })).where('id', '=', subscriptionId).execute();
      const page = await queuedDeliveries(trx, subscriptionId, limit);
      await trx.updateTable('subscriptions').set({ queue_awake: page.length > 0 ? 1 : 0 }).where('id', '=', subscriptionId).execute();
      return page;
    });
  }

  /** Ends every delivery still waiting in the queue as cancelled (its subscription was disabled or deleted). */
  async drainQueue(subscriptionId: string, reason: string): Promise<number> {
    const at = now();
    const result = await this.db
      .updateTable('deliveries')
      .set({ status: 'cancelled', last_error: reason, completed_at: at, updated_at: at })
      .where('subscription_id', '=', subscriptionId)
      .where('status', '=', 'pending')
      .where('owner', '=', fifoQueueWorkflowId(subscriptionId))
      .executeTakeFirst();
    const drained = Number(result.numUpdatedRows);
    if (drained > 0) this.observer.deliveriesEnded('cancelled', drained);
    return drained;
  }
}

async function queuedDeliveries(db: Kysely<Database>, subscriptionId: string, limit: number): Promise<QueuedDelivery[]> {
  const rows = await db
    .selectFrom('deliveries as d')
    .innerJoin('subscriptions as s', 's.id', 'd.subscription_id')
    .selectAll('s')
    .select(['d.id as delivery_id', 'd.sequence as delivery_sequence', 'd.event_id', 'd.event_type', 'd.attempt_count'])
    .where('d.subscription_id', '=', subscriptionId)
    .where('d.status', '=', 'pending')
    .where('d.owner', '=', fifoQueueWorkflowId(subscriptionId))
    .orderBy('d.sequence')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    ...toPrepared(row.delivery_id, row, row.delivery_sequence),
    eventId: row.event_id,
    eventType: row.event_type,
    attemptOffset: Number(row.attempt_count),
  }));
}
