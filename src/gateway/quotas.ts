import type { RequestHandler } from 'express';
import type { Ledger } from '../store/ledger';
import { takeRequest } from '../operations/quotas';
import { principalOf } from './auth';

/**
 * Counts each /v1 request of a tenant's caller (key or portal session) against its tenant's
 * requestsPerSecond, after authentication and before anything else runs; the operator is exempt.
 */
export function limitTenantRequests(ledger: Ledger): RequestHandler {
  return async (_req, res, next) => {
    try {
      const principal = principalOf(res);
      if (principal.kind === 'tenant') await takeRequest(ledger, principal.tenantId);
      next();
    } catch (err) {
      next(err);
    }
  };
}
