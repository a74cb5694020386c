import crypto from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import { hashToken, TOKEN_PREFIX } from '../security/bearer-token';
import { ForbiddenError, UnauthorizedError } from '../model/errors';
import type { Ledger } from '../store/ledger';

/**
 * Who is calling. The operator (API_TOKEN) reaches everything; a tenant, through one of its keys
 * or a portal session, reaches only its own subscriptions and deliveries.
 */
export type Principal = { kind: 'operator' } | { kind: 'tenant'; tenantId: string; via: 'key' | 'portal' };

/** The portal's session cookie and the header its page echoes its CSRF token in. */
export const SESSION_COOKIE = 'whp_session';
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (value: string) => crypto.createHash('sha256').update(value).digest();

/** Constant-time equality of two strings of any length. */
export function sameSecret(given: string, expected: string): boolean {
  return crypto.timingSafeEqual(digest(given), digest(expected));
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

async function fromBearer(token: string, apiTokenDigest: Buffer, ledger: Ledger): Promise<Principal | undefined> {
  if (crypto.timingSafeEqual(digest(token), apiTokenDigest)) return { kind: 'operator' };
  if (!token.startsWith(TOKEN_PREFIX.tenantKey)) return undefined;
  const access = await ledger.access.tenantForKey(hashToken(token));
  return access && { kind: 'tenant', tenantId: access.tenantId, via: 'key' };
}

/** A portal session; writes must echo its CSRF token (SameSite=Strict is the first guard, this the second). */
async function fromSession(req: Request, ledger: Ledger): Promise<Principal | undefined> {
  const token = parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE];
  if (!token) return undefined;
  const session = await ledger.access.portalSession(hashToken(token));
  if (!session) return undefined;
  if (!SAFE_METHODS.has(req.method) && !sameSecret(req.get(CSRF_HEADER) ?? '', session.csrfToken)) {
    throw new ForbiddenError(`A portal write needs the session's ${CSRF_HEADER} header.`);
  }
  return { kind: 'tenant', tenantId: session.tenantId, via: 'portal' };
}

/**
 * Works out the principal: `Authorization: Bearer` (the operator token or a tenant key), else the
 * portal's session cookie. Anything else, or a key revoked, expired or of a deleted tenant, is 401.
 */
export function authenticate(apiToken: string, ledger: Ledger): RequestHandler {
  const apiTokenDigest = digest(apiToken);
  return async (req, res, next) => {
    try {
      const header = req.get('authorization');
      const bearer = header === undefined ? undefined : /^Bearer (.+)$/i.exec(header)?.[1];
      const principal = header !== undefined ? bearer && (await fromBearer(bearer, apiTokenDigest, ledger)) : await fromSession(req, ledger);
      if (!principal) return next(new UnauthorizedError());
      res.locals.principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
