import type { Kysely } from 'kysely';
import { AttemptQueries } from './attempts';
import { DeliveryQueries } from './deliveries';
import { EndpointHealth } from './endpoint-health';
import { EndpointLimits } from './endpoint-limits';
import { EventBatchQueries } from './event-batch';
import { EventCatalogQueries } from './event-catalog';
import { EventQueries } from './events';
import { FifoQueueQueries } from './fifo-queue';
import { type LedgerObserver, NO_OBSERVER } from './observer';
import { RecoveryQueries } from './recovery';
import type { Database } from './schema';
import { SubscriptionQueries } from './subscriptions';
import { TenantAccessQueries } from './tenant-access';
import { TenantQuotas } from './tenant-quotas';
import { TenantQueries } from './tenants';

export type { BatchOutcome } from './event-batch';
export type { DeclaredEventType, DeclaredEventTypeInput, SchemaVersion } from './event-catalog';
export type { LedgerObserver } from './observer';
export type { NewEvent } from './events';
export type { PortalSession, TenantAccess } from './tenant-access';
export type { AttemptResult, PreparedDelivery, StoredEvent, SubscriptionTarget } from './rows';
export { isSameEvent, subscriptionRows } from './rows';

/**
 * The ledger: the durable record of subscriptions, events, deliveries and attempts. Every write
 * is idempotent so an activity retried after a crash can run it again without doubling anything.
 * One facade over the queries of each table group (subscriptions.ts, events.ts, deliveries.ts,
 * event-batch.ts, attempts.ts, endpoint-health.ts, tenants.ts, tenant-access.ts): `ledger.getDelivery(…)` is DeliveryQueries' method.
 */
export type Ledger = LedgerFacade &
  TenantQueries &
  TenantAccessQueries &
  SubscriptionQueries &
  EventQueries &
  EventBatchQueries &
  DeliveryQueries &
  AttemptQueries &
  EndpointHealth;

class LedgerFacade {
  readonly limits: EndpointLimits;
  readonly recovery: RecoveryQueries;
  readonly fifo: FifoQueueQueries;
  readonly quotas: TenantQuotas;
  /** The event-type catalog the operator declares (event-catalog.ts). */
  readonly catalog: EventCatalogQueries;

  /** `observer` hears of the transitions the metrics count (deliveries ended); none by default. */
  constructor(
    readonly db: Kysely<Database>,
    readonly observer: LedgerObserver = NO_OBSERVER,
  ) {
    this.limits = new EndpointLimits(db);
    this.recovery = new RecoveryQueries(db);
    this.fifo = new FifoQueueQueries(db, observer);
    this.quotas = new TenantQuotas(db);
    this.catalog = new EventCatalogQueries(db);
    for (const Part of [TenantQueries, TenantAccessQueries, SubscriptionQueries, EventQueries, EventBatchQueries, EndpointHealth]) expose(this, new Part(db));
    expose(this, new DeliveryQueries(db, observer));
    expose(this, new AttemptQueries(db, observer));
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('events').select('id').limit(1).execute();
  }
}

/** `new Ledger(db)`: the facade, typed with the methods `expose` put on it. */
export const Ledger = LedgerFacade as new (db: Kysely<Database>, observer?: LedgerObserver) => Ledger;

/** Puts each of `part`'s methods on `facade`, bound to `part`. */
function expose(facade: object, part: object): void {
  const prototype = Object.getPrototypeOf(part) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = prototype[name];
    if (name !== 'constructor' && typeof method === 'function') {
      Object.defineProperty(facade, name, { value: method.bind(part) });
    }
  }
}
