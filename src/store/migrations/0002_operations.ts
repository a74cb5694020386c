import type { Kysely, Migration } from 'kysely';

/** Confirmation timeouts, endpoint health and the indexes the operations' lists use. */
export const migration: Migration = {
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
};
