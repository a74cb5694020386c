import type { Kysely, Migration } from 'kysely';

/**
 * A lock row per tenant for fan-outs (store/fan-out.ts): a tenant's event locks its tenant's row,
 * so fan-outs of different tenants no longer queue behind one another on `fan_out_lock`. Rows are
 * created by the first fan-out of each tenant (insert … on conflict do update).
 */
async function addFanOutTenantLocks(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('fan_out_tenant_locks').addColumn('tenant_id', 'text', (c) => c.primaryKey()).execute();
}

export const migration: Migration = { up: addFanOutTenantLocks };
