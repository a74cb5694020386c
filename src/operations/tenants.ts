import { hashToken, newBearerToken, TOKEN_PREFIX } from '../security/bearer-token';
import { mapWithConcurrency } from '../core/concurrency';
import { cancelDelivery } from './deliveries';
import { OPEN_STATUSES } from '../delivery/status';
import { ConflictError, NotFoundError } from '../model/errors';
import { newId } from '../core/ids';
import { isGrpcServiceError } from '@temporalio/client';
import type { CreatePortalSessionInput, CreateTenantKeyInput, PutTenantInput, Tenant } from '../model';
import type { ServiceDeps } from './deps';
import { applyFairnessWeight } from '../temporal/fairness-weights';

const CANCEL_PAGE = 100;
const CANCEL_CONCURRENCY = 10;

/**
 * Deletes a tenant: in one ledger transaction it is marked deleted, its subscriptions disabled and
 * its keys and portal sessions ended; then each delivery still open is cancelled through its
 * workflow. If that is cut short (Temporal down), deleting again finishes it, and a delivery left
 * open meanwhile ends at its next attempt, which finds its subscription disabled.
 */
export async function deleteTenant(deps: ServiceDeps, tenantId: string): Promise<{ cancelled: number }> {
  if (!(await deps.ledger.tenants.delete(tenantId))) throw new NotFoundError('tenant', tenantId);
  let cancelled = 0;
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await deps.ledger.deliveries.find({ tenantId, statuses: [...OPEN_STATUSES], after, limit: CANCEL_PAGE });
    await mapWithConcurrency(page, CANCEL_CONCURRENCY, async (d) => {
      // Ended meanwhile (its own workflow finished it): nothing to cancel.
      const ended = await cancelDelivery(deps, d.id).then(
        () => true,
        (err: unknown) => (err instanceof ConflictError ? false : Promise.reject(err)),
      );
      if (ended) cancelled++;
    });
    const last = page[page.length - 1];
    if (page.length < CANCEL_PAGE || !last) return { cancelled };
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/** gRPC's INVALID_ARGUMENT, FAILED_PRECONDITION and UNIMPLEMENTED: Temporal refused the weight itself. */
const REFUSED_BY_TEMPORAL = [3, 9, 12];

/**
 * Creates or updates a tenant. A new fairness weight goes to Temporal first, then to the ledger:
 * if Temporal is unreachable nothing changes (503); if the ledger write fails after it, each
 * reconciler sweep brings Temporal back to the ledger's weights.
 */
export async function putTenant(deps: ServiceDeps, tenantId: string, input: PutTenantInput) {
  const before = await deps.ledger.tenants.get(tenantId);
  if ((before?.fairnessWeight ?? 1) !== input.fairnessWeight) {
    await applyFairnessWeight(deps, tenantId, input.fairnessWeight).catch((err: unknown) => {
      if (isGrpcServiceError(err) && REFUSED_BY_TEMPORAL.includes(err.code)) {
        throw new ConflictError(
          `Temporal refused the fairness weight (${err.details}): it takes weights from server 1.29 with fairness on, for at most 1000 tenants of a task queue.`,
        );
      }
      throw err;
    });
  }
  return deps.ledger.tenants.put(tenantId, input);
}

/** The tenant, or the 404 that a missing or deleted one answers. */
export async function existingTenant({ ledger }: Pick<ServiceDeps, 'ledger'>, tenantId: string): Promise<Tenant> {
  const tenant = await ledger.tenants.get(tenantId);
  if (!tenant) throw new NotFoundError('tenant', tenantId);
  return tenant;
}

/** Issues a tenant key: returned once, stored as its hash. */
export async function issueTenantKey(deps: ServiceDeps, tenantId: string, input: CreateTenantKeyInput) {
  await existingTenant(deps, tenantId);
  const key = newBearerToken(TOKEN_PREFIX.tenantKey);
  const stored = await deps.ledger.access.createKey({
    id: newId.tenantKey(),
    tenantId,
    name: input.name ?? null,
    prefix: key.slice(0, TOKEN_PREFIX.tenantKey.length + 6),
    keyHash: hashToken(key),
    expiresAt: input.expiresAt === undefined ? null : new Date(input.expiresAt).toISOString(),
  });
  return { ...stored, key };
}

/**
 * A single-use portal link. Its token rides in the URL's fragment, which browsers never send to
 * a server, so it stays out of request lines, proxies' logs and Referer headers.
 */
export async function issuePortalLink(deps: ServiceDeps & { publicUrl: string }, tenantId: string, input: CreatePortalSessionInput) {
  await existingTenant(deps, tenantId);
  const token = newBearerToken(TOKEN_PREFIX.portalLink);
  const expiresAt = new Date(Date.now() + input.linkExpiresIn).toISOString();
  await deps.ledger.access.createPortalLink(tenantId, hashToken(token), expiresAt, input.sessionExpiresIn);
  return { url: `${deps.publicUrl}/portal/login#token=${token}`, expiresAt };
}
