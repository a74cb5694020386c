import type { Kysely } from 'kysely';
import type { Page, PageQuery, TenantKey } from '../model';
import { now, pageOf } from './rows';
import type { Database } from './schema';
import { toTenantKey } from './tenants';

/** Who a tenant key or portal session speaks for. */
export interface TenantAccess {
  tenantId: string;
}

export interface PortalSession extends TenantAccess {
  csrfToken: string;
  expiresAt: string;
}

/** Keys are marked used at most once a minute, so reads do not turn into a write each. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Tenant keys and portal tokens. Every secret arrives here already hashed. */
export class TenantAccessQueries {
  constructor(readonly db: Kysely<Database>) {}

  async createKey(key: { id: string; tenantId: string; name: string | null; prefix: string; keyHash: string; expiresAt: string | null }): Promise<TenantKey> {
    const row = {
      id: key.id,
      tenant_id: key.tenantId,
      name: key.name,
      prefix: key.prefix,
      key_hash: key.keyHash,
      created_at: now(),
      expires_at: key.expiresAt,
      revoked_at: null,
      last_used_at: null,
    };
    await this.db.insertInto('tenant_keys').values(row).execute();
    return toTenantKey(row);
  }

  async listKeys(tenantId: string, page: PageQuery): Promise<Page<TenantKey>> {
    let query = this.db
      .selectFrom('tenant_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(page.limit + 1);
    if (page.cursor) query = query.where('id', '<', page.cursor);
    return pageOf((await query.execute()).map(toTenantKey), page.limit);
  }

  /** Revokes a key of the tenant; undefined if the tenant has no such key. Idempotent. */
  async revokeKey(tenantId: string, keyId: string): Promise<TenantKey | undefined> {
    await this.db.updateTable('tenant_keys').set({ revoked_at: now() }).where('id', '=', keyId).where('tenant_id', '=', tenantId).where('revoked_at', 'is', null).execute();
    const row = await this.db.selectFrom('tenant_keys').selectAll().where('id', '=', keyId).where('tenant_id', '=', tenantId).executeTakeFirst();
    return row && toTenantKey(row);
  }

  /** The tenant a key speaks for, if the key is live and its tenant not deleted. */
  async tenantForKey(keyHash: string): Promise<TenantAccess | undefined> {
    const at = now();
    const row = await this.db
      .selectFrom('tenant_keys as k')
      .innerJoin('tenants as t', 't.id', 'k.tenant_id')
      .select(['k.id', 'k.tenant_id', 'k.last_used_at'])
      .where('k.key_hash', '=', keyHash)
      .where('k.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', at)]))
      .where('t.deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.last_used_at === null || Date.parse(row.last_used_at) < Date.parse(at) - LAST_USED_RESOLUTION_MS) {
      await this.db.updateTable('tenant_keys').set({ last_used_at: at }).where('id', '=', row.id).execute();
    }
    return { tenantId: row.tenant_id };
  }

  async createPortalLink(tenantId: string, linkHash: string, expiresAt: string, sessionTtlMs: number): Promise<void> {
    await this.db
      .insertInto('portal_tokens')
      .values({ token_hash: linkHash, kind: 'link', tenant_id: tenantId, detail: String(sessionTtlMs), created_at: now(), expires_at: expiresAt, ended_at: null })
      .execute();
  }

  /**
   * Spends a link and opens its session, in one transaction: of two redemptions one wins.
   * Returns why it was refused when it was.
   */
  async redeemPortalLink(
    linkHash: string,
    session: { hash: string; csrfToken: string },
  ): Promise<PortalSession | 'unknown' | 'used' | 'expired'> {
    const at = now();
    return this.db.transaction().execute(async (trx) => {
      const link = await trx
        .selectFrom('portal_tokens as p')
        .innerJoin('tenants as t', 't.id', 'p.tenant_id')
        .select(['p.tenant_id', 'p.detail', 'p.expires_at', 'p.ended_at'])
        .where('p.token_hash', '=', linkHash)
        .where('p.kind', '=', 'link')
        .where('t.deleted_at', 'is', null)
        .executeTakeFirst();
      if (!link) return 'unknown';
      if (link.ended_at !== null) return 'used';
      if (link.expires_at <= at) return 'expired';
      const spent = await trx.updateTable('portal_tokens').set({ ended_at: at }).where('token_hash', '=', linkHash).where('ended_at', 'is', null).executeTakeFirst();
      if (spent.numUpdatedRows === 0n) return 'used';
      const expiresAt = new Date(Date.parse(at) + Number(link.detail)).toISOString();
      await trx
        .insertInto('portal_tokens')
        .values({ token_hash: session.hash, kind: 'session', tenant_id: link.tenant_id, detail: session.csrfToken, created_at: at, expires_at: expiresAt, ended_at: null })
        .execute();
      return { tenantId: link.tenant_id, csrfToken: session.csrfToken, expiresAt };
    });
  }

  /** A live session: not signed out, not revoked, not expired, its tenant not deleted. */
  async portalSession(sessionHash: string): Promise<PortalSession | undefined> {
    const row = await this.db
      .selectFrom('portal_tokens as p')
      .innerJoin('tenants as t', 't.id', 'p.tenant_id')
      .select(['p.tenant_id', 'p.detail', 'p.expires_at'])
      .where('p.token_hash', '=', sessionHash)
      .where('p.kind', '=', 'session')
      .where('p.ended_at', 'is', null)
      .where('p.expires_at', '>', now())
      .where('t.deleted_at', 'is', null)
      .executeTakeFirst();
    return row && { tenantId: row.tenant_id, csrfToken: row.detail, expiresAt: row.expires_at };
  }

  async endPortalSession(sessionHash: string): Promise<void> {
    await this.db.updateTable('portal_tokens').set({ ended_at: now() }).where('token_hash', '=', sessionHash).where('ended_at', 'is', null).execute();
  }

  /** Ends every open link and session of a tenant; returns how many. */
  async revokePortalAccess(tenantId: string): Promise<number> {
    const result = await this.db.updateTable('portal_tokens').set({ ended_at: now() }).where('tenant_id', '=', tenantId).where('ended_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
