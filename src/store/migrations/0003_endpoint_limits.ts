import type { Kysely, Migration } from 'kysely';

/** Per-endpoint concurrency and rate limits: the settings, the slot leases and the rate windows. */
export const migration: Migration = {
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
};
