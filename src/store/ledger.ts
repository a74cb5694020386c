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

/** Settings of the ledger itself. */
export interface LedgerOptions {
  /** OPERATIONS_TENANT_ID: also gets a copy of every tenant's operational events. */
  operationsTenantId?: string;
}

/**
 * The ledger: the durable record of subscriptions, events, deliveries and attempts. Every write
 * is idempotent so an activity retried after a crash can run it again without doubling anything.
 * Each table group has its own queries, named at every call: `ledger.deliveries.get(…)`.
 */
export class Ledger {
  readonly tenants: TenantQueries;
  /** Tenant keys and portal sessions. */
  readonly access: TenantAccessQueries;
  readonly events: EventQueries;
  readonly eventBatches: EventBatchQueries;
  readonly subscriptions: SubscriptionQueries;
  readonly endpointHealth: EndpointHealth;
  readonly deliveries: DeliveryQueries;
  readonly attempts: AttemptQueries;
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
    this.tenants = new TenantQueries(db);
    this.access = new TenantAccessQueries(db);
    this.events = new EventQueries(db);
    this.eventBatches = new EventBatchQueries(db);
    this.subscriptions = new SubscriptionQueries(db, hooks);
    this.endpointHealth = new EndpointHealth(db, hooks);
    this.deliveries = new DeliveryQueries(db, hooks);
    this.attempts = new AttemptQueries(db, hooks);
  }

  /** Adds a watcher: the process's dispatcher starts the events the ledger records itself. */
  watch(observer: LedgerObserver): () => void {
    return this.observer.add(observer);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('events').select('id').limit(1).execute();
  }
}
