import type { Kysely, Transaction } from 'kysely';
import { QuotaExceededError } from '../model/errors';
import type { TenantLimits } from '../model';
import { now } from './rows';
import type { Database, TenantJobsTable } from './schema';
import { effectiveLimits } from './tenants';

type Db = Kysely<Database> | Transaction<Database>;

/** The limits counted in fixed windows: quota_windows.quota. */
export type WindowQuota = 'requestsPerSecond' | 'testEventsPerMinute';

/** A job counted against a tenant's concurrentJobs. */
export interface CountedJob {
  tenantId: string;
  kind: TenantJobsTable['kind'];
  workflowId: string;
}

/** A job the tenant has running as far as the ledger knows: not yet seen ended. */
export interface OpenJob {
  workflowId: string;
  startedAt: string;
}

/**
 * Locks the tenant's row for the rest of the transaction and reads its limits. PostgreSQL holds the
 * row lock (a no-op update, as in fan-out.ts) until commit, so two gateways checking the same
 * tenant's count serialise; SQLite transactions hold the write lock from BEGIN anyway.
 */
export async function lockTenantLimits(trx: Transaction<Database>, tenantId: string): Promise<TenantLimits | undefined> {
  await trx
    .updateTable('tenants')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', tenantId)
    .execute();
  const row = await trx.selectFrom('tenants').select('limits').where('id', '=', tenantId).executeTakeFirst();
  return row && effectiveLimits(row.limits);
}

/** The tenant's subscriptions that are not deleted (disabled ones count: they can be re-enabled). */
export async function countSubscriptions(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Waiting frees no subscription: this only says when to look again (after deleting one). */
const SUBSCRIPTIONS_RETRY_AFTER_S = 60;

/**
 * Refuses a new subscription when the tenant already has `subscriptions` of them. Runs in the
 * creating transaction, with the tenant's row locked, so two gateways cannot both take the last one.
 */
export async function checkSubscriptionRoom(trx: Transaction<Database>, tenantId: string): Promise<void> {
  const limits = await lockTenantLimits(trx, tenantId);
  if (!limits) return;
  const count = await countSubscriptions(trx, tenantId);
  if (count >= limits.subscriptions) {
    throw new QuotaExceededError('subscriptions', limits.subscriptions, SUBSCRIPTIONS_RETRY_AFTER_S, `the tenant has ${count} subscriptions; delete one first.`);
  }
}

/** Quotas of tenant callers, counted in the ledger so that every gateway sees the same counts. */
export class TenantQuotas {
  constructor(private readonly db: Kysely<Database>) {}

  /** A tenant's limits (the defaults for one that does not exist). */
  async limitsOf(tenantId: string): Promise<TenantLimits> {
    const row = await this.db.selectFrom('tenants').select('limits').where('id', '=', tenantId).executeTakeFirst();
    return effectiveLimits(row?.limits ?? null);
  }

  /**
   * Takes one of `max` uses of the current fixed window of `windowMs`, in one conditional upsert (a
   * use is taken by exactly one caller, and a refusal writes nothing). Returns undefined when taken,
   * else the ms until the next window.
   */
  async takeWindowToken(tenantId: string, quota: WindowQuota, max: number, windowMs: number): Promise<number | undefined> {
    const at = Date.now();
    const untilNext = windowMs - (at % windowMs);
    if (max <= 0) return untilNext;
    const window = Math.floor(at / windowMs);
    const result = await this.db
      .insertInto('quota_windows')
      .values({ tenant_id: tenantId, quota, window_start: window, used: 1 })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'quota'])
          .doUpdateSet((eb) => ({
            window_start: eb.ref('excluded.window_start'),
            used: eb.case().when('quota_windows.window_start', '=', eb.ref('excluded.window_start')).then(eb('quota_windows.used', '+', 1)).else(1).end(),
          }))
          .where((eb) => eb.or([eb('quota_windows.window_start', '<>', eb.ref('excluded.window_start')), eb('quota_windows.used', '<', max)])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0 ? undefined : untilNext;
  }

  /**
   * Records a job for its tenant, in one transaction with the tenant's row locked: with `enforce`
   * (a tenant caller), only if fewer than concurrentJobs of its jobs are open. Returns undefined
   * when recorded, else the open jobs that hold the quota (to be checked in Temporal).
   */
  async claimJob(job: CountedJob, enforce: boolean): Promise<{ open: OpenJob[]; max: number } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const limits = await lockTenantLimits(trx, job.tenantId);
      if (enforce && limits) {
        const open = await this.openJobs(trx, job.tenantId);
        if (open.length >= limits.concurrentJobs) return { open, max: limits.concurrentJobs };
      }
      await trx.insertInto('tenant_jobs').values({ workflow_id: job.workflowId, tenant_id: job.tenantId, kind: job.kind, started_at: now(), ended_at: null }).execute();
      return undefined;
    });
  }

  async openJobs(db: Db, tenantId: string): Promise<OpenJob[]> {
    const rows = await db.selectFrom('tenant_jobs').select(['workflow_id', 'started_at']).where('tenant_id', '=', tenantId).where('ended_at', 'is', null).execute();
    return rows.map((r) => ({ workflowId: r.workflow_id, startedAt: r.started_at }));
  }

  /** Marks jobs ended (their workflows were seen closed or missing); they no longer count. */
  async endJobs(workflowIds: string[]): Promise<void> {
    if (workflowIds.length === 0) return;
    await this.db.updateTable('tenant_jobs').set({ ended_at: now() }).where('workflow_id', 'in', workflowIds).where('ended_at', 'is', null).execute();
  }

  /** Forgets a job whose workflow could not be started. */
  async dropJob(workflowId: string): Promise<void> {
    await this.db.deleteFrom('tenant_jobs').where('workflow_id', '=', workflowId).execute();
  }
}
