import type { Kysely, Migration } from 'kysely';

/** Operational events (webhook.*) about one endpoint are never sent to that endpoint. */
async function addOperationalEvents(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('about_subscription_id', 'text').execute();
}

export const migration: Migration = { up: addOperationalEvents };
