import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

/** Subscriptions and the event-type patterns they match. */
async function createSubscriptionTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('retry_schedule', 'text')
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();

  await db.schema
    .createTable('subscription_event_types')
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('subscription_event_types_pk', ['subscription_id', 'pattern'])
    .execute();
  await db.schema
    .createIndex('subscription_event_types_pattern_idx')
    .on('subscription_event_types')
    .columns(['pattern', 'subscription_id'])
    .execute();
}

/** Events and their deliveries. */
async function createEventTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('dispatched_at', 'text')
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'text')
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addUniqueConstraint('deliveries_event_subscription_uq', ['event_id', 'subscription_id'])
    .execute();
  await db.schema.createIndex('deliveries_subscription_idx').on('deliveries').columns(['subscription_id', 'id']).execute();
  await db.schema.createIndex('deliveries_status_idx').on('deliveries').columns(['status', 'id']).execute();
}

/** One row per attempt of a delivery. */
async function createAttemptsTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer')
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('response_body', 'text')
    .addPrimaryKeyConstraint('attempts_pk', ['delivery_id', 'number'])
    .execute();
}

/** The tables as 0006 sees them (the data it moves, not the whole schema). */
interface Db0006 {
  tenants: { id: string; name: string; metadata: string; created_at: string; updated_at: string };
  events: { id: string; type: string; created_at: string; tenant_id: string | null };
  deliveries: { event_id: string; event_type: string };
  event_types: { scope: string; type: string; last_seen_at: string };
}

/** Tenants own subscriptions; existing data moves into the tenant `default`. */
async function addTenants(db: Kysely<Db0006>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  const at = new Date().toISOString();
  await db.insertInto('tenants').values({ id: 'default', name: 'Default', metadata: '{}', created_at: at, updated_at: at }).execute();
  await db.schema.alterTable('subscriptions').addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default')).execute();
  await db.schema.createIndex('subscriptions_tenant_idx').on('subscriptions').columns(['tenant_id', 'id']).execute();
  await db.schema.alterTable('events').addColumn('tenant_id', 'text').execute();
  await db.schema.alterTable('events').addColumn('target_subscription_id', 'text').execute();
  await db.updateTable('events').set({ tenant_id: 'default' }).execute();
  await addDeliveryCopies(db);
  await addTenantSecrets(db);
}

/** The tenant and event type on each delivery, so the portal's filters need no joins. */
async function addDeliveryCopies(db: Kysely<Db0006>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default')).execute();
  await db.schema.alterTable('deliveries').addColumn('event_type', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db
    .updateTable('deliveries')
    .set((eb) => ({ event_type: eb.selectFrom('events').select('events.type').whereRef('events.id', '=', 'deliveries.event_id') }))
    .execute();
  await db.schema.createIndex('deliveries_tenant_idx').on('deliveries').columns(['tenant_id', 'id']).execute();
  // An endpoint's recent attempts (its 24-hour chart) are found through its recently touched deliveries.
  await db.schema.createIndex('deliveries_subscription_updated_idx').on('deliveries').columns(['subscription_id', 'updated_at']).execute();
  // The catalog of types seen, per tenant ('*' for broadcasts), so a tenant sees only its own.
  await db.schema
    .createTable('event_types')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_types_pk', ['scope', 'type'])
    .execute();
  await db
    .insertInto('event_types')
    .columns(['scope', 'type', 'last_seen_at'])
    .expression(db.selectFrom('events').select((eb) => [eb.val('default').as('scope'), 'type', eb.fn.max('created_at').as('last_seen_at')]).groupBy('type'))
    .execute();
}

/** Tenant keys and portal tokens, stored as hashes. */
async function addTenantSecrets(db: Kysely<Db0006>): Promise<void> {
  await db.schema
    .createTable('tenant_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('tenant_keys_tenant_idx').on('tenant_keys').columns(['tenant_id', 'id']).execute();
  await db.schema
    .createTable('portal_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('portal_tokens_tenant_idx').on('portal_tokens').columns(['tenant_id']).execute();
}

/**
 * Acceptance order of events (`events.seq`), a sequence number per subscription on each delivery,
 * the counter each subscription draws them from, FIFO ordering and payload filters. Existing rows are numbered in
 * creation order (UPDATE … FROM and row_number() run alike on SQLite ≥ 3.33 and PostgreSQL).
 */
async function addSequences(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('seq', 'integer').execute();
  await sql`update events set seq = r.n from (select id, row_number() over (order by created_at, id) as n from events) as r where r.id = events.id`.execute(db);
  await db.schema.createIndex('events_seq_idx').on('events').columns(['seq']).execute();
  await db.schema.alterTable('deliveries').addColumn('sequence', 'integer').execute();
  await sql`update deliveries set sequence = r.n
    from (select id, row_number() over (partition by subscription_id order by created_at, id) as n from deliveries) as r
    where r.id = deliveries.id`.execute(db);
  await db.schema.createIndex('deliveries_subscription_sequence_idx').on('deliveries').columns(['subscription_id', 'sequence']).execute();
  await db.schema.alterTable('subscriptions').addColumn('last_sequence', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update subscriptions set last_sequence = coalesce((select max(d.sequence) from deliveries d where d.subscription_id = subscriptions.id), 0)`.execute(db);
  await db.schema.alterTable('subscriptions').addColumn('ordering', 'text', (c) => c.notNull().defaultTo('unordered')).execute();
  // 1 while the FIFO queue workflow runs: a fan-out signals the queue only when it finds it asleep (0).
  await db.schema.alterTable('subscriptions').addColumn('queue_awake', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // JSON of the payload filter (src/filters), or null: every event of its types matches.
  await db.schema.alterTable('subscriptions').addColumn('filter', 'text').execute();
  // One row that every fan-out transaction locks first (store/fan-out.ts).
  await db.schema.createTable('fan_out_lock').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
  await sql`insert into fan_out_lock (id) values (1)`.execute(db);
}

/** Fair use: a tenant's fairness weight and limits, and the jobs counted against them. */
async function addTenantLimits(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('fairness_weight', 'real').execute();
  await db.schema.alterTable('tenants').addColumn('limits', 'text').execute();
  await db.schema
    .createTable('tenant_jobs')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('tenant_jobs_open_idx').on('tenant_jobs').columns(['tenant_id', 'ended_at']).execute();
}

/** Quotas: fixed-window counters of what each tenant's callers used (requests/s, test events/min). */
async function addQuotaWindows(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('quota_windows')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('quota', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('quota_windows_pk', ['tenant_id', 'quota'])
    .execute();
}

/**
 * A lock row per tenant for fan-outs (store/fan-out.ts): a tenant's event locks its tenant's row,
 * so fan-outs of different tenants no longer queue behind one another on `fan_out_lock`. Rows are
 * created by the first fan-out of each tenant (insert … on conflict do update).
 */
async function addFanOutTenantLocks(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('fan_out_tenant_locks').addColumn('tenant_id', 'text', (c) => c.primaryKey()).execute();
}

/** Retention: an event's payload may be removed (by age or on request) while its rows stay listed. */
async function addRetention(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('data_removed_at', 'text').execute();
  // 'retention' (RETENTION_DAYS passed) or 'expunged' (DELETE /v1/events/{id}/payload).
  await db.schema.alterTable('events').addColumn('data_removed_reason', 'text').execute();
  // Days; null: the service's RETENTION_DAYS.
  await db.schema.alterTable('tenants').addColumn('retention_days', 'double precision').execute();
}

/** Operational events (webhook.*) about one endpoint are never sent to that endpoint. */
async function addOperationalEvents(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('about_subscription_id', 'text').execute();
}

/** The event-type catalog: the types the operator declared, each with its schema, example and deprecation. */
async function addEventCatalog(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_catalog')
    .addColumn('type', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('schema', 'text')
    .addColumn('example', 'text')
    .addColumn('deprecated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deprecated_at', 'text')
    .addColumn('deprecated_message', 'text')
    .addColumn('replaced_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

/** Custom headers per subscription (endpoint), sent with every attempt: a JSON object, null for none. */
async function addSubscriptionHeaders(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('subscriptions').addColumn('headers', 'text').execute();
}

// Migrations are code, kept in order; the Migrator records which ran so start-up applies only new ones.
const migrations: Record<string, Migration> = {
  '0001_ledger': {
    async up(db: Kysely<unknown>) {
      await createSubscriptionTables(db);
      await createEventTables(db);
      await createAttemptsTable(db);
    },
  },
  '0002_operations': {
    async up(db: Kysely<unknown>) {
      // null: no confirmation needed; else how long a receiver has to confirm an attempt.
      await db.schema.alterTable('subscriptions').addColumn('confirmation_timeout_ms', 'integer').execute();
      // Start of the current run of failed attempts; cleared by any success (endpoint health).
      await db.schema.alterTable('subscriptions').addColumn('failing_since', 'text').execute();
      await db.schema.createIndex('events_created_idx').on('events').columns(['created_at', 'id']).execute();
      await db.schema
        .createIndex('deliveries_subscription_status_idx')
        .on('deliveries')
        .columns(['subscription_id', 'status', 'created_at'])
        .execute();
    },
  },
  '0003_endpoint_limits': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('subscriptions').addColumn('max_concurrency', 'integer').execute();
      await db.schema.alterTable('subscriptions').addColumn('rate_limit_per_second', 'integer').execute();
      // One row per concurrency slot in use; a lease that outlives its worker expires by itself.
      await db.schema
        .createTable('endpoint_slots')
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('slot', 'integer', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('endpoint_slots_pk', ['subscription_id', 'slot'])
        .execute();
      // Fixed one-second windows: how many requests a subscription has been sent in the current one.
      await db.schema
        .createTable('endpoint_rate')
        .addColumn('subscription_id', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'integer', (c) => c.notNull())
        .addColumn('sent', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  '0004_reconcile': {
    async up(db: Kysely<unknown>) {
      // The workflow id that will start a pending delivery (its event or replay workflow); null when
      // the gateway starts it at once. The reconciler leaves a delivery alone while its owner runs.
      await db.schema.alterTable('deliveries').addColumn('owner', 'text').execute();
      await db.schema.createIndex('events_status_idx').on('events').columns(['status', 'id']).execute();
    },
  },
  '0005_secret_rotation': {
    async up(db: Kysely<unknown>) {
      // The secret a rotation replaced, which still signs beside the new one until it expires.
      await db.schema.alterTable('subscriptions').addColumn('previous_secret', 'text').execute();
      await db.schema.alterTable('subscriptions').addColumn('previous_secret_expires_at', 'text').execute();
    },
  },
  '0006_tenants': { up: (db) => addTenants(db as Kysely<Db0006>) },
  '0007_sequences': { up: addSequences },
  '0008_tenant_limits': { up: addTenantLimits },
  '0009_fan_out_per_tenant': { up: addFanOutTenantLocks },
  '0010_quota_windows': { up: addQuotaWindows },
  '0011_retention': { up: addRetention },
  '0012_operational_events': { up: addOperationalEvents },
  '0013_event_catalog': { up: addEventCatalog },
  '0014_subscription_headers': { up: addSubscriptionHeaders },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<unknown>, upTo?: string): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo));
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Ledger migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
