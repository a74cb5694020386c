import type { Kysely, Migration } from 'kysely';

/** Custom headers per subscription (endpoint), sent with every attempt: a JSON object, null for none. */
async function addSubscriptionHeaders(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('subscriptions').addColumn('headers', 'text').execute();
}

export const migration: Migration = { up: addSubscriptionHeaders };
