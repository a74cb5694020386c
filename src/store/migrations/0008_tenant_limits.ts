import type { Kysely, Migration } from 'kysely';

/** Fair use: a tenant's fairness weight and limits, and the jobs counted against them. */
async function addTenantLimits(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('fairness_weight', 'real').execute();
  await db.schema.alterTable('tenants').addColumn('limits', 'text').execute();
  await db.schema
    .createTable('tenant_jobs')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('tenant_jobs_open_idx').on('tenant_jobs').columns(['tenant_id', 'ended_at']).execute();
}

export const migration: Migration = { up: addTenantLimits };
