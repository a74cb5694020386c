import type { Kysely, Migration } from 'kysely';

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

/** The first schema: subscriptions, events, deliveries and attempts. */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await createSubscriptionTables(db);
    await createEventTables(db);
    await createAttemptsTable(db);
  },
};
