import { newId } from '../core/ids';
import type { CreateSubscriptionInput, Page, Subscription, TenantPageQuery, UpdateSubscriptionInput } from '../model';
import { confirmationTimeout, headersColumn, now, pageOf, subscriptionRows, type SubscriptionTarget, toSubscription } from './rows';
import { HookedQueries } from './hooks';
import { checkSubscriptionRoom } from './tenant-quotas';

/** Subscriptions and the event-type patterns they match. */
export class SubscriptionQueries extends HookedQueries {
  /** `withinQuota` (a tenant's caller): refused, writing nothing, when its tenant has no room left. */
  async create(input: CreateSubscriptionInput & { secret: string; tenantId: string }, withinQuota = false): Promise<Subscription> {
    const { subscription, patterns } = subscriptionRows(input, newId.subscription(), now());
    await this.db.transaction().execute(async (trx) => {
      if (withinQuota) await checkSubscriptionRoom(trx, input.tenantId);
      await trx.insertInto('subscriptions').values(subscription).execute();
      await trx.insertInto('subscription_event_types').values(patterns).execute();
    });
    return (await this.get(subscription.id))!;
  }

  async get(id: string): Promise<Subscription | undefined> {
    const target = await this.target(id);
    if (!target) return undefined;
    const { secret: _, previousSecret: __, ...subscription } = target;
    return subscription;
  }

  async target(id: string): Promise<SubscriptionTarget | undefined> {
    const row = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && { ...toSubscription(row), secret: row.secret, previousSecret: row.previous_secret };
  }

  /**
   * Replaces the signing secret; the one it replaces keeps signing beside it until
   * `previousUntil` (a second rotation within the window drops the oldest).
   */
  /** Rotates the secret (the old one keeps signing until `previousUntil`), told as webhook.endpoint.secret_rotated. */
  async rotateSecret(id: string, secret: string, previousUntil: string): Promise<Subscription | undefined> {
    const recorded = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('subscriptions')
        .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_expires_at: previousUntil, secret, updated_at: now() }))
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? this.operational.endpoint(trx, 'webhook.endpoint.secret_rotated', id, { previousSecretExpiresAt: previousUntil }) : undefined;
    });
    if (!recorded) return undefined;
    this.observer.eventsRecorded(recorded);
    return this.get(id);
  }

  async list(page: TenantPageQuery): Promise<Page<Subscription>> {
    let query = this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('id', 'desc')
      .limit(page.limit + 1);
    if (page.tenantId) query = query.where('tenant_id', '=', page.tenantId);
    if (page.cursor) query = query.where('id', '<', page.cursor);
    const rows = await query.execute();
    return pageOf(rows.map(toSubscription), page.limit);
  }

  async update(id: string, patch: UpdateSubscriptionInput): Promise<Subscription | undefined> {
    const at = now();
    const found = await this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('subscriptions')
        .select('id')
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!existing) return false;
      const enabling = patch.status === 'active';
      const disabling = patch.status === 'disabled';
      await trx
        .updateTable('subscriptions')
        .set({
          updated_at: at,
          ...(patch.url !== undefined && { url: patch.url }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.timeoutMs !== undefined && { timeout_ms: patch.timeoutMs }),
          ...(patch.retrySchedule !== undefined && {
            retry_schedule: patch.retrySchedule === null ? null : JSON.stringify(patch.retrySchedule),
          }),
          ...(patch.eventTypes !== undefined && { event_types: JSON.stringify([...new Set(patch.eventTypes)]) }),
          ...(patch.confirmation !== undefined && { confirmation_timeout_ms: confirmationTimeout(patch.confirmation) }),
          ...(patch.maxConcurrency !== undefined && { max_concurrency: patch.maxConcurrency }),
          ...(patch.rateLimitPerSecond !== undefined && { rate_limit_per_second: patch.rateLimitPerSecond }),
          ...(patch.ordering !== undefined && { ordering: patch.ordering }),
          ...(patch.filter !== undefined && { filter: patch.filter === null ? null : JSON.stringify(patch.filter) }),
          ...(patch.headers !== undefined && { headers: headersColumn(patch.headers) }),
          ...(enabling && { status: 'active' as const, disabled_reason: null, disabled_at: null, failing_since: null }),
          ...(disabling && { status: 'disabled' as const, disabled_reason: 'disabled by API', disabled_at: at }),
        })
        .where('id', '=', id)
        .execute();
      if (patch.eventTypes !== undefined) {
        await trx.deleteFrom('subscription_event_types').where('subscription_id', '=', id).execute();
        await trx
          .insertInto('subscription_event_types')
          .values([...new Set(patch.eventTypes)].map((pattern) => ({ subscription_id: id, pattern })))
          .execute();
      }
      return true;
    });
    return found ? this.get(id) : undefined;
  }

  /** Soft delete: deliveries keep pointing at it, new events no longer match it. */
  async delete(id: string): Promise<boolean> {
    const at = now();
    const result = await this.db
      .updateTable('subscriptions')
      .set({ deleted_at: at, updated_at: at, status: 'disabled', disabled_reason: 'deleted', disabled_at: at })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Idempotent: the first reason and time stay. */
  /** Disables an endpoint that told us to stop (410 Gone), told as webhook.endpoint.disabled. */
  async disable(id: string, reason: string): Promise<void> {
    const at = now();
    const recorded = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('subscriptions')
        .set({ status: 'disabled', disabled_reason: reason, disabled_at: at, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? this.operational.endpoint(trx, 'webhook.endpoint.disabled', id) : [];
    });
    this.observer.eventsRecorded(recorded);
  }
}
