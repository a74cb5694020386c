import type { Kysely, Migration } from 'kysely';

/** Secret rotation: the previous secret and when it stops signing. */
export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The secret a rotation replaced, which still signs beside the new one until it expires.
    await db.schema.alterTable('subscriptions').addColumn('previous_secret', 'text').execute();
    await db.schema.alterTable('subscriptions').addColumn('previous_secret_expires_at', 'text').execute();
  },
};
