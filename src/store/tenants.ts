import type { Kysely, Selectable } from 'kysely';
import { type Page, type PageQuery, type PutTenantInput, type Tenant, type TenantKey, TENANT_LIMIT_DEFAULTS, type TenantLimits, type TenantLimitsInput } from '../model';
import { now, pageOf } from './rows';
import type { Database, TenantKeysTable, TenantsTable } from './schema';

function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
    name: row.name,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    fairnessWeight: row.fairness_weight ?? 1,
    limits: effectiveLimits(row.limits),
    retentionDays: row.retention_days === null ? null : Number(row.retention_days),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The limits set on a tenant, each one not set taking its default. */
export function effectiveLimits(stored: string | null): TenantLimits {
  return { ...TENANT_LIMIT_DEFAULTS, ...(stored === null ? {} : (JSON.parse(stored) as TenantLimitsInput)) };
}

export function toTenantKey(row: Selectable<TenantKeysTable>): TenantKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Tenants: the platform's customers, each owning its subscriptions and deliveries. */
export class TenantQueries {
  constructor(readonly db: Kysely<Database>) {}

  /** Creates or updates a tenant; a deleted one comes back (its subscriptions stay disabled). */
  async put(id: string, input: PutTenantInput): Promise<{ tenant: Tenant; created: boolean }> {
    const at = now();
    const metadata = JSON.stringify(input.metadata);
    const settings = {
      fairness_weight: input.fairnessWeight === 1 ? null : input.fairnessWeight,
      limits: Object.keys(input.limits).length === 0 ? null : JSON.stringify(input.limits),
      retention_days: input.retentionDays,
    };
    const existing = await this.db.selectFrom('tenants').select('deleted_at').where('id', '=', id).executeTakeFirst();
    await this.db
      .insertInto('tenants')
      .values({ id, name: input.name, metadata, ...settings, created_at: at, updated_at: at, deleted_at: null })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: input.name, metadata, ...settings, updated_at: at, deleted_at: null }))
      .execute();
    return { tenant: (await this.get(id))!, created: !existing || existing.deleted_at !== null };
  }

  /** Tenants with a fairness weight of their own (not 1), by id: what Temporal's overrides should be. */
  async fairnessWeights(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('tenants').select(['id', 'fairness_weight']).where('fairness_weight', 'is not', null).where('deleted_at', 'is', null).execute();
    return new Map(rows.map((r) => [r.id, Number(r.fairness_weight)]));
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return row && toTenant(row);
  }

  /** Tenants in id order (their ids are the platform's, not time-sorted). */
  async list(page: PageQuery): Promise<Page<Tenant>> {
    let query = this.db
      .selectFrom('tenants')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .limit(page.limit + 1);
    if (page.cursor) query = query.where('id', '>', page.cursor);
    return pageOf((await query.execute()).map(toTenant), page.limit);
  }

  /**
   * Marks the tenant deleted, disables its subscriptions and ends its keys and portal tokens, in
   * one transaction. True if the tenant exists, deleted before or not (so a repeat finishes the job).
   */
  async delete(id: string): Promise<boolean> {
    const at = now();
    return this.db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('tenants').select('id').where('id', '=', id).executeTakeFirst();
      if (!found) return false;
      await trx.updateTable('tenants').set({ deleted_at: at, updated_at: at }).where('id', '=', id).where('deleted_at', 'is', null).execute();
      await trx
        .updateTable('subscriptions')
        .set({ status: 'disabled', disabled_reason: 'tenant deleted', disabled_at: at, updated_at: at })
        .where('tenant_id', '=', id)
        .where('status', '=', 'active')
        .execute();
      await trx.updateTable('tenant_keys').set({ revoked_at: at }).where('tenant_id', '=', id).where('revoked_at', 'is', null).execute();
      await trx.updateTable('portal_tokens').set({ ended_at: at }).where('tenant_id', '=', id).where('ended_at', 'is', null).execute();
      return true;
    });
  }
}
