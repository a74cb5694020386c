import type { Kysely, Migration } from 'kysely';

/** Retention: an event's payload may be removed (by age or on request) while its rows stay listed. */
async function addRetention(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('data_removed_at', 'text').execute();
  // 'retention' (RETENTION_DAYS passed) or 'expunged' (DELETE /v1/events/{id}/payload).
  await db.schema.alterTable('events').addColumn('data_removed_reason', 'text').execute();
  // Days; null: the service's RETENTION_DAYS.
  await db.schema.alterTable('tenants').addColumn('retention_days', 'double precision').execute();
}

export const migration: Migration = { up: addRetention };
