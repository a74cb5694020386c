import type { Kysely } from 'kysely';
import { FINAL_STATUSES } from '../delivery/status';
import type { Delivery, DeliveryFilter, DeliveryStatus, Page } from '../model';
import { instant, now, pageOf, pendingDeliveryRow, type PreparedDelivery, toDelivery, toPrepared } from './rows';
import { drawSequences } from './fan-out';
import { HookedQueries } from './hooks';
import type { Database } from './schema';

/** Deliveries: one per (event, subscription), moved through their statuses by compare-and-set. */
export class DeliveryQueries extends HookedQueries {
  async get(id: string): Promise<Delivery | undefined> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDelivery(row);
  }

  async list(filter: DeliveryFilter): Promise<Page<Delivery>> {
    let query = this.db
      .selectFrom('deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(filter.limit + 1);
    if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.eventType) query = query.where('event_type', '=', filter.eventType);
    if (filter.since) query = query.where('created_at', '>=', instant(filter.since));
    if (filter.until) query = query.where('created_at', '<', instant(filter.until));
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.cursor) query = query.where('id', '<', filter.cursor);
    const rows = await query.execute();
    return pageOf(rows.map(toDelivery), filter.limit);
  }

  async listForEvent(eventId: string): Promise<Delivery[]> {
    const rows = await this.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
    return rows.map(toDelivery);
  }

  /** Everything needed to run a delivery again (retry, replay), or undefined if unknown. */
  async target(deliveryId: string): Promise<
    { delivery: Delivery; eventType: string; prepared: PreparedDelivery; subscriptionActive: boolean; fifo: boolean; dataRemoved: boolean } | undefined
  > {
    const row = await this.db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('subscriptions as s', 's.id', 'd.subscription_id')
      .selectAll('s')
      .select(['d.id as delivery_id', 'e.type as event_type', 'e.data_removed_at'])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
    const delivery = await this.get(deliveryId);
    if (!row || !delivery) return undefined;
    return {
      delivery,
      eventType: row.event_type,
      prepared: toPrepared(deliveryId, row, delivery.sequence),
      subscriptionActive: row.status === 'active' && row.deleted_at === null,
      fifo: row.ordering === 'fifo',
      dataRemoved: row.data_removed_at !== null,
    };
  }

  /**
   * Moves a delivery back to pending so it can run again; only one caller wins. Attempts its
   * earlier run left open are closed as abandoned. `owner` is the workflow that will start it.
   * Returns the status it had, or undefined if it was not in one of `from`.
   */
  async reopen(deliveryId: string, from: DeliveryStatus[], owner: string | null = null): Promise<DeliveryStatus | undefined> {
    const before = await this.get(deliveryId);
    if (!before || !from.includes(before.status)) return undefined;
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('deliveries')
        .set({ status: 'pending', next_attempt_at: null, completed_at: null, updated_at: now(), owner })
        .where('id', '=', deliveryId)
        .where('status', '=', before.status)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return undefined;
      await trx
        .updateTable('attempts')
        .set({ outcome: 'abandoned', error: 'its run ended before the attempt was settled' })
        .where('delivery_id', '=', deliveryId)
        .where('outcome', 'in', ['sending', 'awaiting_confirmation'])
        .execute();
      return before.status;
    });
  }

  /** Puts a delivery back to the status it had when a reopen could not be followed through. */
  async restore(deliveryId: string, status: DeliveryStatus): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ status, completed_at: FINAL_STATUSES.includes(status) ? now() : null, updated_at: now() })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Deliveries for a bulk retry, oldest first, bounded by `limit`, after the (createdAt, id) cursor. */
  async find(filter: {
    tenantId?: string;
    subscriptionId?: string;
    eventId?: string;
    statuses: DeliveryStatus[];
    since?: string;
    until?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<Delivery[]> {
    let query = this.db
      .selectFrom('deliveries')
      .selectAll()
      .where('status', 'in', filter.statuses)
      .orderBy('created_at')
      .orderBy('id')
      .limit(filter.limit);
    if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    if (filter.since) query = query.where('created_at', '>=', instant(filter.since));
    if (filter.until) query = query.where('created_at', '<', instant(filter.until));
    const after = filter.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
      );
    }
    return (await query.execute()).map(toDelivery);
  }

  /**
   * The delivery of an event to a subscription, created pending (for `owner` to start) if there is
   * none yet, with the subscription's next sequence number.
   */
  async ensure(
    event: { id: string; type: string },
    subscription: { id: string; tenantId: string },
    owner: string | null,
  ): Promise<Delivery> {
    const find = (db: Kysely<Database>) =>
      db.selectFrom('deliveries').selectAll().where('event_id', '=', event.id).where('subscription_id', '=', subscription.id).executeTakeFirst();
    const row = await this.db.transaction().execute(async (trx) => {
      const existing = await find(trx);
      if (existing) return existing;
      const [drawn] = await drawSequences(trx, [subscription]);
      await trx.insertInto('deliveries').values({ ...pendingDeliveryRow(event, subscription, now(), owner), sequence: drawn!.last_sequence }).execute();
      return (await find(trx))!;
    });
    return toDelivery(row);
  }

  /** Ends a delivery without a new attempt (cancelled, or failed for a reason outside HTTP). */
  async end(deliveryId: string, status: 'failed' | 'cancelled', reason: string): Promise<void> {
    const at = now();
    const ended = await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('attempts')
        .set({ outcome: 'abandoned', error: reason })
        .where('delivery_id', '=', deliveryId)
        .where('outcome', 'in', ['sending', 'awaiting_confirmation'])
        .execute();
      const updated = await trx
        .updateTable('deliveries')
        .set({ status, last_error: reason, next_attempt_at: null, completed_at: at, updated_at: at })
        .where('id', '=', deliveryId)
        .where('status', 'not in', FINAL_STATUSES)
        .executeTakeFirst();
      return updated.numUpdatedRows > 0n ? this.operational.deliveryEnded(trx, deliveryId, status) : undefined;
    });
    if (ended) this.observer.deliveriesEnded(status, 1);
    if (ended) this.observer.eventsRecorded(ended);
  }
}
