import { type Kysely, sql } from 'kysely';
import type { Receivable } from '../filters';
import { type FanOutResult, recordFanOut } from './fan-out';
import { newEventRow, recordEventTypes } from './event-rows';
import { instant, type NewEvent, now, type PreparedDelivery, type StoredEvent, toPrepared, toStoredEvent } from './rows';

export type { NewEvent } from './rows';
import type { Database } from './schema';

/** Events and their fan-out into pending deliveries. */
export class EventQueries {
  constructor(readonly db: Kysely<Database>) {}

  /**
   * Inserts the event unless its id exists; returns the stored one and whether it is new. A
   * platform event's type joins the catalog of types seen (a test event's does not).
   */
  async insert(input: NewEvent): Promise<{ event: StoredEvent; created: boolean }> {
    const at = now();
    // Acceptance order: one more than any event committed before this statement began.
    const seq = sql<number>`(select coalesce(max(seq), 0) + 1 from events)`;
    const result = await this.db
      .insertInto('events')
      .values(newEventRow(input, at, seq))
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    const created = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    if (created) await recordEventTypes(this.db, [input], at);
    return { event: (await this.get(input.id))!, created };
  }

  /** Events recorded and not yet fanned out (status `accepted`): the dispatch backlog, read from events_status_idx. */
  async acceptedBacklog(): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', 'accepted').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const row = await this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStoredEvent(row);
  }

  /** Event types seen so far, most recent first (at most 500): a tenant's own and broadcasts, or all. */
  async listTypes(tenantId?: string): Promise<{ type: string; lastSeenAt: string }[]> {
    let query = this.db
      .selectFrom('event_types')
      .select((eb) => ['type', eb.fn.max('last_seen_at').as('lastSeenAt')])
      .groupBy('type')
      .orderBy('lastSeenAt', 'desc')
      .limit(500);
    if (tenantId !== undefined) query = query.where('scope', 'in', [tenantId, '*']);
    return query.execute();
  }

  /** Records an event's fan-out, in acceptance order (see fan-out.ts). */
  async recordFanOut(eventId: string, shardSize: number, owner: string, onProgress: () => void = () => {}): Promise<FanOutResult> {
    return recordFanOut(this.db, eventId, shardSize, owner, onProgress);
  }

  /** One page of an event's pending deliveries for subscriptions in (after, upTo], by subscription id. */
  async pendingDeliveryPlans(eventId: string, range: { after: string | null; upTo: string }, limit: number): Promise<PreparedDelivery[]> {
    let query = this.db
      .selectFrom('deliveries as d')
      .innerJoin('subscriptions as s', 's.id', 'd.subscription_id')
      .selectAll('s')
      .select(['d.id as delivery_id', 'd.sequence as delivery_sequence'])
      .where('d.event_id', '=', eventId)
      .where('d.status', '=', 'pending')
      // A FIFO subscription's deliveries are its queue's to start, one at a time.
      .where((eb) => eb.or([eb('d.owner', 'is', null), eb('d.owner', 'not like', 'fifo:%')]))
      .where('d.subscription_id', '<=', range.upTo)
      .orderBy('d.subscription_id')
      .limit(limit);
    if (range.after !== null) query = query.where('d.subscription_id', '>', range.after);
    return (await query.execute()).map((row) => toPrepared(row.delivery_id, row, row.delivery_sequence));
  }

  /**
   * One page of events created in [since, until) that a subscription could have received (its
   * tenant's and broadcasts, no other subscription's test events), oldest first, for a replay.
   */
  async listInWindow(
    subscription: { id: string; tenantId: string },
    since: string,
    until: string,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<(Receivable & { id: string; createdAt: string })[]> {
    let query = this.db
      .selectFrom('events')
      .select(['id', 'type', 'created_at', 'data', 'tenant_id', 'target_subscription_id', 'about_subscription_id'])
      .where('created_at', '>=', instant(since))
      .where('created_at', '<', instant(until))
      // Only events whose fan-out is recorded: an accepted one gets its deliveries from its own
      // fan-out, which a delivery made here first would collide with (and a cancelled one has none).
      .where('status', '=', 'dispatched')
      // A removed payload is never sent again.
      .where('data_removed_at', 'is', null)
      .where((eb) => eb.or([eb('tenant_id', '=', subscription.tenantId), eb('tenant_id', 'is', null)]))
      .where((eb) => eb.or([eb('target_subscription_id', 'is', null), eb('target_subscription_id', '=', subscription.id)]))
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
        ]),
      );
    }
    return (await query.execute()).map((r) => ({
      id: r.id,
      type: r.type,
      createdAt: r.created_at,
      data: JSON.parse(r.data) as Record<string, unknown>,
      tenantId: r.tenant_id,
      targetSubscriptionId: r.target_subscription_id,
      aboutSubscriptionId: r.about_subscription_id,
    }));
  }
}
