import { type Kysely, sql, type Transaction } from 'kysely';
import { isOperationalType, type OperationalEventType } from '../filters/event-types';
import { newId } from '../core/ids';
import { newEventRow, recordEventTypes } from './event-rows';
import { now } from './rows';
import type { Database } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** An event recorded in the ledger and not started yet: what the process's dispatcher starts after the commit. */
export interface RecordedEvent {
  id: string;
  type: string;
  tenantId: string | null;
}

interface OperationalEventSpec {
  type: OperationalEventType;
  /** Whose event it is; null: only the operations tenant's (a job across tenants). */
  tenantId: string | null;
  /** The endpoint it is about, which never receives it. */
  aboutSubscriptionId: string | null;
  data: Record<string, unknown>;
  /** A fixed id, for news told from outside a transaction: a second telling is refused by the id. */
  id?: string;
}

/** A bulk retry or replay that finished, as its workflow reports it. */
export interface FinishedJob {
  kind: 'bulk_retry' | 'replay';
  workflowId: string;
  tenantId: string | null;
  summary: Record<string, unknown>;
}

/** A receiver URL as operational events show it: no query string, which may hold a secret. */
const displayUrl = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

/**
 * Operational events (webhook.*): the service's own news about a tenant's endpoints and
 * deliveries, recorded as ordinary events of that tenant in the transaction that made the
 * change, so each change is told exactly once. OPERATIONS_TENANT_ID gets a copy of each.
 */
export class OperationalEvents {
  constructor(private readonly operationsTenantId: string | undefined) {}

  async record(trx: Db, spec: OperationalEventSpec): Promise<RecordedEvent[]> {
    const at = now();
    const ops = this.operationsTenantId;
    const tenants = [...(spec.tenantId === null ? [] : [spec.tenantId]), ...(ops && ops !== spec.tenantId ? [ops] : [])];
    const idFor = (tenantId: string) => (spec.id === undefined ? newId.event() : tenantId === spec.tenantId ? spec.id : `${spec.id}.ops`);
    const events = tenants.map((tenantId) => ({ id: idFor(tenantId), tenantId, type: spec.type, data: { ...spec.data, tenantId: spec.tenantId } }));
    const recorded: typeof events = [];
    for (const event of events) {
      const seq = sql<number>`(select coalesce(max(seq), 0) + 1 from events)`;
      const row = { ...newEventRow(event, at, seq), about_subscription_id: spec.aboutSubscriptionId };
      const inserted = await trx.insertInto('events').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) recorded.push(event);
    }
    await recordEventTypes(trx, recorded, at);
    return recorded.map(({ id, tenantId, type }) => ({ id, type, tenantId }));
  }

  /** webhook.bulk_retry.finished or webhook.replay.finished; told once however often its activity runs. */
  async jobFinished(db: Kysely<Database>, job: FinishedJob): Promise<RecordedEvent[]> {
    const type = job.kind === 'bulk_retry' ? 'webhook.bulk_retry.finished' : 'webhook.replay.finished';
    const data = { jobId: job.workflowId, kind: job.kind, ...job.summary };
    return db.transaction().execute((trx) => this.record(trx, { type, tenantId: job.tenantId, aboutSubscriptionId: null, data, id: `evt_finished_${job.workflowId}` }));
  }

  /** webhook.endpoint.*: an endpoint entered failing, recovered, was disabled or had its secret rotated. */
  async endpoint(trx: Db, type: OperationalEventType, subscriptionId: string, detail: Record<string, unknown> = {}): Promise<RecordedEvent[]> {
    const s = await trx.selectFrom('subscriptions').select(['tenant_id', 'url', 'failing_since', 'disabled_reason']).where('id', '=', subscriptionId).executeTakeFirst();
    if (!s) return [];
    const data = { subscriptionId, url: displayUrl(s.url), failingSince: s.failing_since, disabledReason: s.disabled_reason, ...detail };
    return this.record(trx, { type, tenantId: s.tenant_id, aboutSubscriptionId: subscriptionId, data });
  }

  /**
   * webhook.delivery.exhausted or .cancelled, for a delivery that just ended so. Never for a
   * delivery of an operational event: one failing endpoint must not feed events about itself.
   */
  async deliveryEnded(trx: Db, deliveryId: string, status: 'failed' | 'cancelled'): Promise<RecordedEvent[]> {
    const d = await trx.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
    if (!d || isOperationalType(d.event_type)) return [];
    const type = status === 'failed' ? 'webhook.delivery.exhausted' : 'webhook.delivery.cancelled';
    const data = { deliveryId, eventId: d.event_id, eventType: d.event_type, subscriptionId: d.subscription_id, attempts: d.attempt_count, reason: d.last_error };
    return this.record(trx, { type, tenantId: d.tenant_id, aboutSubscriptionId: d.subscription_id, data });
  }
}
