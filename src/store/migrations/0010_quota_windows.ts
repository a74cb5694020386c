import type { Kysely, Migration } from 'kysely';

/** Quotas: fixed-window counters of what each tenant's callers used (requests/s, test events/min). */
async function addQuotaWindows(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('quota_windows')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('quota', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('quota_windows_pk', ['tenant_id', 'quota'])
    .execute();
}

export const migration: Migration = { up: addQuotaWindows };
