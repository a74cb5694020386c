import type { Kysely, Migration } from 'kysely';

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

export const migration: Migration = { up: (db) => addTenants(db as Kysely<Db0006>) };
