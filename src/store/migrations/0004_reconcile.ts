import type { Kysely, Migration } from 'kysely';

/** Which workflow owns a pending delivery, and an index for the reconciler's scan of events. */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The workflow id that will start a pending delivery (its event or replay workflow); null when
    // the gateway starts it at once. The reconciler leaves a delivery alone while its owner runs.
    await db.schema.alterTable('deliveries').addColumn('owner', 'text').execute();
    await db.schema.createIndex('events_status_idx').on('events').columns(['status', 'id']).execute();
  },
};
