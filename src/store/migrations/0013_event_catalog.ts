import type { Kysely, Migration } from 'kysely';

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

export const migration: Migration = { up: addEventCatalog };
