import type { Kysely, Transaction } from 'kysely';
import { FINAL_STATUSES } from '../delivery/status';
import { now } from './rows';
import type { Database } from './schema';
import { HookedQueries } from './hooks';
import type { RecordedEvent } from './operational-events';

type Db = Kysely<Database> | Transaction<Database>;

/** Events older than `before` of these tenants (null: every tenant not listed in `except`, and broadcasts). */
export interface RetentionScope {
  before: string;
  tenantIds: string[] | null;
  except: string[];
}

/** Where a purge page stopped, in (created_at, id) order. */
export interface PurgeCursor {
  createdAt: string;
  id: string;
}

/** An event the purge may touch: it has fanned out (or was cancelled) and none of its deliveries is open. */
function endedEvents(db: Db, scope: RetentionScope, after: PurgeCursor | null, limit: number) {
  let query = db
    .selectFrom('events as e')
    .select(['e.id', 'e.created_at'])
    .where('e.created_at', '<', scope.before)
    .where('e.status', '<>', 'accepted')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('deliveries as d').select('d.id').whereRef('d.event_id', '=', 'e.id').where('d.status', 'not in', FINAL_STATUSES))),
    )
    .orderBy('e.created_at')
    .orderBy('e.id')
    .limit(limit);
  if (scope.tenantIds !== null) query = query.where('e.tenant_id', 'in', scope.tenantIds.length > 0 ? scope.tenantIds : ['']);
  else if (scope.except.length > 0) query = query.where((eb) => eb.or([eb('e.tenant_id', 'is', null), eb('e.tenant_id', 'not in', scope.except)]));
  if (after) {
    query = query.where((eb) => eb.or([eb('e.created_at', '>', after.createdAt), eb.and([eb('e.created_at', '=', after.createdAt), eb('e.id', '>', after.id)])]));
  }
  return query;
}

/** Removes the events' payloads and their attempts' response bodies; the rows stay listed. */
async function removePayloads(trx: Transaction<Database>, eventIds: string[], reason: 'retention' | 'expunged'): Promise<number> {
  if (eventIds.length === 0) return 0;
  const removed = await trx
    .updateTable('events')
    .set({ data: '{}', data_removed_at: now(), data_removed_reason: reason })
    .where('id', 'in', eventIds)
    .where('data_removed_at', 'is', null)
    .executeTakeFirst();
  await trx
    .updateTable('attempts')
    .set({ response_body: null })
    .where('delivery_id', 'in', (eb) => eb.selectFrom('deliveries').select('id').where('event_id', 'in', eventIds))
    .where('response_body', 'is not', null)
    .execute();
  return Number(removed.numUpdatedRows);
}

/** Ends an event's open deliveries as cancelled with `reason`; returns their ids. */
async function endOpenDeliveries(trx: Transaction<Database>, eventId: string, reason: string): Promise<string[]> {
  const at = now();
  const open = await trx.selectFrom('deliveries').select('id').where('event_id', '=', eventId).where('status', 'not in', FINAL_STATUSES).execute();
  const ids = open.map((d) => d.id);
  if (ids.length === 0) return [];
  await trx.updateTable('attempts').set({ outcome: 'abandoned', error: reason }).where('delivery_id', 'in', ids).where('outcome', 'in', ['sending', 'awaiting_confirmation']).execute();
  await trx
    .updateTable('deliveries')
    .set({ status: 'cancelled', last_error: reason, next_attempt_at: null, completed_at: at, updated_at: at })
    .where('id', 'in', ids)
    .where('status', 'not in', FINAL_STATUSES)
    .execute();
  return ids;
}

/** Retention: what the purge schedule and an operator's expunge remove from the ledger. */
export class RetentionQueries extends HookedQueries {
  /** Tenants with a retention of their own, in days. */
  async tenantRetentions(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('tenants').select(['id', 'retention_days']).where('retention_days', 'is not', null).execute();
    return new Map(rows.map((r) => [r.id, Number(r.retention_days)]));
  }

  /** One page: removes the payloads of ended events in scope that still have them. */
  async purgePayloads(scope: RetentionScope, after: PurgeCursor | null, limit: number): Promise<{ removed: number; examined: number; next: PurgeCursor | null }> {
    const rows = await endedEvents(this.db, scope, after, limit).where('e.data_removed_at', 'is', null).execute();
    const removed = await this.db.transaction().execute((trx) => removePayloads(trx, rows.map((r) => r.id), 'retention'));
    const last = rows[rows.length - 1];
    return { removed, examined: rows.length, next: rows.length === limit && last ? { createdAt: last.created_at, id: last.id } : null };
  }

  /** One page: deletes ended events in scope with their deliveries and attempts. Deleted rows leave the scan, so no cursor. */
  async deleteRecords(scope: RetentionScope, limit: number): Promise<{ deleted: number; more: boolean }> {
    const rows = await endedEvents(this.db, scope, null, limit).execute();
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return { deleted: 0, more: false };
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('attempts').where('delivery_id', 'in', (eb) => eb.selectFrom('deliveries').select('id').where('event_id', 'in', ids)).execute();
      await trx.deleteFrom('deliveries').where('event_id', 'in', ids).where('status', 'in', FINAL_STATUSES).execute();
      // An event keeps its row while any delivery is left (one opened since the page was read).
      await trx
        .deleteFrom('events')
        .where('id', 'in', ids)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries as d').select('d.id').whereRef('d.event_id', '=', 'events.id'))))
        .execute();
    });
    return { deleted: ids.length, more: ids.length === limit };
  }

  /** Portal links and sessions that expired before `before`: nothing reads them any more. */
  async deleteExpiredPortalTokens(before: string): Promise<void> {
    await this.db.deleteFrom('portal_tokens').where('expires_at', '<', before).execute();
  }

  /**
   * Expunges one event's payload at once (a data-protection request): the payload and its
   * attempts' response bodies go, an event not fanned out yet never will be, and its open
   * deliveries end `cancelled` with `reason`. Returns the deliveries it ended.
   */
  async expungePayload(eventId: string, reason: string): Promise<string[]> {
    const { ended, recorded } = await this.db.transaction().execute(async (trx) => {
      await removePayloads(trx, [eventId], 'expunged');
      // Not fanned out yet: then never.
      await trx.updateTable('events').set({ status: 'cancelled' }).where('id', '=', eventId).where('status', '=', 'accepted').execute();
      const ids = await endOpenDeliveries(trx, eventId, reason);
      const told: RecordedEvent[] = [];
      for (const id of ids) told.push(...(await this.operational.deliveryEnded(trx, id, 'cancelled')));
      return { ended: ids, recorded: told };
    });
    this.observer.deliveriesEnded('cancelled', ended.length);
    this.observer.eventsRecorded(recorded);
    return ended;
  }
}
