import type { Kysely } from 'kysely';
import { OPEN_STATUSES } from '../delivery/status';
import type { DeliveryStatus } from '../model';
import type { Database } from './schema';


export interface StaleEvent {
  id: string;
  type: string;
  tenantId: string | null;
}

export interface StaleDelivery {
  id: string;
  eventId: string;
  subscriptionId: string;
  status: DeliveryStatus;
  owner: string | null;
  updatedAt: string;
}

/**
 * What the reconciler reads: events and deliveries that have sat unchanged since `cutoff` in a
 * state some workflow should be moving them out of. Paged by id, so any number of rows is covered.
 */
export class RecoveryQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async staleEvents(cutoff: string, after: string | null, limit: number): Promise<StaleEvent[]> {
    let query = this.db
      .selectFrom('events')
      .select(['id', 'type', 'tenant_id as tenantId'])
      .where('status', '=', 'accepted')
      .where('created_at', '<', cutoff)
      .orderBy('id')
      .limit(limit);
    if (after !== null) query = query.where('id', '>', after);
    return query.execute();
  }

  async staleDeliveries(cutoff: string, after: string | null, limit: number): Promise<StaleDelivery[]> {
    let query = this.db
      .selectFrom('deliveries')
      .select(['id', 'event_id', 'subscription_id', 'status', 'owner', 'updated_at'])
      .where('status', 'in', OPEN_STATUSES)
      .where('updated_at', '<', cutoff)
      .orderBy('id')
      .limit(limit);
    if (after !== null) query = query.where('id', '>', after);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      subscriptionId: r.subscription_id,
      status: r.status,
      owner: r.owner,
      updatedAt: r.updated_at,
    }));
  }

  /** An event stopped before its fan-out; false if it had moved on meanwhile. */
  async cancelAcceptedEvent(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('events')
      .set({ status: 'cancelled' })
      .where('id', '=', id)
      .where('status', '=', 'accepted')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
