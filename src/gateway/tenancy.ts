import { NotFoundError, ValidationError } from '../model/errors';
import type { Delivery, Subscription } from '../model';
import type { GatewayContext, Scope } from './route';

/**
 * Confining a request to its tenant. A resource of another tenant answers exactly as a missing
 * one does (404), so a tenant key cannot learn what exists elsewhere.
 */

export function confine<T extends { tenantId: string }>(resource: T | undefined, scope: Scope, kind: string, id: string): T {
  if (!resource || (scope.tenantId !== undefined && resource.tenantId !== scope.tenantId)) throw new NotFoundError(kind, id);
  return resource;
}

/** A list's filter, narrowed to the caller's tenant when it has one. */
export function scoped<F extends { tenantId?: string }>(filter: F, scope: Scope): F {
  return scope.tenantId === undefined ? filter : { ...filter, tenantId: scope.tenantId };
}

export async function ownSubscription({ ledger }: GatewayContext, scope: Scope, id: string): Promise<Subscription> {
  return confine(await ledger.subscriptions.get(id), scope, 'subscription', id);
}

export async function ownDelivery({ ledger }: GatewayContext, scope: Scope, id: string): Promise<Delivery> {
  return confine(await ledger.deliveries.get(id), scope, 'delivery', id);
}

/** The tenant a new subscription joins: the key's own, or the one the operator names (which must exist). */
export async function tenantForNewSubscription({ ledger }: GatewayContext, scope: Scope, named: string | undefined): Promise<string> {
  if (scope.tenantId !== undefined) {
    if (named !== undefined && named !== scope.tenantId) throw new NotFoundError('tenant', named);
    return scope.tenantId;
  }
  if (named === undefined) throw new ValidationError([{ in: 'body', field: 'tenantId', message: 'is required with the operator token' }]);
  if (!(await ledger.tenants.get(named))) throw new ValidationError([{ in: 'body', field: 'tenantId', message: `no tenant with id ${named}` }]);
  return named;
}
