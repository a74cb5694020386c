import type { Kysely } from 'kysely';
import { AttemptQueries } from './attempts';
import { DeliveryQueries } from './deliveries';
import { EndpointHealth } from './endpoint-health';
import { EndpointLimits } from './endpoint-limits';
import { EventBatchQueries } from './event-batch';
import { EventCatalogQueries } from './event-catalog';
import { EventQueries } from './events';
import { FifoQueueQueries } from './fifo-queue';
import type { LedgerHooks } from './hooks';
import { type LedgerObserver, NO_OBSERVER, ObserverList } from './observer';
import { OperationalEvents } from './operational-events';
import { RecoveryQueries } from './recovery';
import { RetentionQueries } from './retention';
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

/** Settings of the ledger itself. */
export interface LedgerOptions {
  /** OPERATIONS_TENANT_ID: also gets a copy of every tenant's operational events. */
  operationsTenantId?: string;
}

class LedgerFacade {
  readonly limits: EndpointLimits;
  readonly recovery: RecoveryQueries;
  readonly fifo: FifoQueueQueries;
  readonly quotas: TenantQuotas;
  readonly retention: RetentionQueries;
  /** Who hears of committed transitions: `observer` (the metrics) first, then whoever `watch`es. */
  readonly observer: ObserverList;
  readonly operational: OperationalEvents;
  /** The event-type catalog the operator declares (event-catalog.ts). */
  readonly catalog: EventCatalogQueries;

  constructor(
    readonly db: Kysely<Database>,
    observer: LedgerObserver = NO_OBSERVER,
    options: LedgerOptions = {},
  ) {
    this.observer = new ObserverList(observer);
    this.operational = new OperationalEvents(options.operationsTenantId);
    const hooks: LedgerHooks = { observer: this.observer, operational: this.operational };
    this.limits = new EndpointLimits(db);
    this.recovery = new RecoveryQueries(db);
    this.fifo = new FifoQueueQueries(db, this.observer);
    this.quotas = new TenantQuotas(db);
    this.retention = new RetentionQueries(db, hooks);
    this.catalog = new EventCatalogQueries(db);
    for (const Part of [TenantQueries, TenantAccessQueries, EventQueries, EventBatchQueries]) expose(this, new Part(db));
    for (const Part of [SubscriptionQueries, EndpointHealth, DeliveryQueries, AttemptQueries]) expose(this, new Part(db, hooks));
  }

  /** Adds a watcher: the process's dispatcher starts the events the ledger records itself. */
  watch(observer: LedgerObserver): () => void {
    return this.observer.add(observer);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('events').select('id').limit(1).execute();
  }
}

/** `new Ledger(db)`: the facade, typed with the methods `expose` put on it. */
export const Ledger = LedgerFacade as new (db: Kysely<Database>, observer?: LedgerObserver, options?: LedgerOptions) => Ledger;

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
