import crypto from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import { z } from 'zod';
import { hashToken, newBearerToken, TOKEN_PREFIX } from '../../security/bearer-token';
import { ExpiredError, ForbiddenError, UnauthorizedError, UnsupportedMediaTypeError } from '../../model/errors';
import { CSRF_HEADER, SESSION_COOKIE, sameSecret } from '../auth';
import { parseInput } from '../validate';
import type { Logger } from '../../core/logger';
import type { Ledger } from '../../store/ledger';
import type { PortalSession } from '../../store/tenant-access';

export interface PortalDeps {
  ledger: Ledger;
  logger: Logger;
  /** Mark the cookie Secure: the portal is served over https (PUBLIC_URL). */
  secureCookies: boolean;
}

/** A link token is `whl_` and 43 base64url characters; the bound only keeps junk out of the hash. */
export type SessionStep = (req: Request, res: Response, deps: PortalDeps) => Promise<void>;

const signInSchema = z.strictObject({ token: z.string().min(1).max(200) });

/** UnauthorizedError's own text is about API headers; a customer holding a link needs this one. */
class UnknownLinkError extends UnauthorizedError {
  constructor() {
    super();
    this.message = 'This sign-in link is not valid. Ask for a new link.';
  }
}

class NoSessionError extends UnauthorizedError {
  constructor() {
    super();
    this.message = 'No portal session, or it has ended. Ask for a new link.';
  }
}

const REFUSED_LINK = {
  used: 'This sign-in link has already been used. Ask for a new link.',
  expired: 'This sign-in link has expired. Ask for a new link.',
} as const;

function cookieOptions(deps: PortalDeps): CookieOptions {
  // Path=/ because the page calls /v1 with it; Strict keeps it off every cross-site request.
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: deps.secureCookies };
}

function sessionTokenOf(req: Request): string | undefined {
  return parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE];
}

/** What the page needs about its session; the tenant is looked up for its current name. */
async function sessionView(session: PortalSession, ledger: Ledger) {
  const tenant = await ledger.tenants.get(session.tenantId);
  if (!tenant) throw new NoSessionError();
  return { tenant: { id: tenant.id, name: tenant.name }, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

/**
 * POST /portal/session: spends a link (once) and opens a session in a cookie the page's script
 * cannot read. JSON only: no other site can send JSON here without a CORS preflight we never
 * grant, so none can sign a visitor into a session of its own choosing (login CSRF).
 */
export async function signIn(req: Request, res: Response, deps: PortalDeps): Promise<void> {
  if (!req.is('application/json')) throw new UnsupportedMediaTypeError('content-type', 'must be application/json');
  const { token } = parseInput(signInSchema, req.body, 'body');
  const sessionToken = newBearerToken(TOKEN_PREFIX.portalSession);
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  const result = await deps.ledger.access.redeemPortalLink(hashToken(token), { hash: hashToken(sessionToken), csrfToken });
  if (typeof result === 'string') {
    deps.logger.info({ reason: result }, 'portal link refused');
    throw result === 'unknown' ? new UnknownLinkError() : new ExpiredError(REFUSED_LINK[result]);
  }
  const view = await sessionView(result, deps.ledger);
  const maxAge = Math.max(0, Date.parse(result.expiresAt) - Date.now());
  res.cookie(SESSION_COOKIE, sessionToken, { ...cookieOptions(deps), maxAge });
  deps.logger.info({ tenantId: result.tenantId, expiresAt: result.expiresAt }, 'portal session opened');
  res.json(view);
}

/** GET /portal/session: the live session behind the cookie, so a reloaded page gets its CSRF token back. */
export async function sendSession(req: Request, res: Response, deps: PortalDeps): Promise<void> {
  const token = sessionTokenOf(req);
  const session = token && (await deps.ledger.access.portalSession(hashToken(token)));
  if (!session) throw new NoSessionError();
  res.json(await sessionView(session, deps.ledger));
}

/** DELETE /portal/session: signs out. A CSRF write like any other, so no other site can sign the customer out. */
export async function endSession(req: Request, res: Response, deps: PortalDeps): Promise<void> {
  const token = sessionTokenOf(req);
  const hash = token && hashToken(token);
  const session = hash && (await deps.ledger.access.portalSession(hash));
  if (!hash || !session) {
    res.clearCookie(SESSION_COOKIE, cookieOptions(deps));
    throw new NoSessionError();
  }
  if (!sameSecret(req.get(CSRF_HEADER) ?? '', session.csrfToken)) {
    throw new ForbiddenError(`Signing out needs the session's ${CSRF_HEADER} header.`);
  }
  await deps.ledger.access.endPortalSession(hash);
  res.clearCookie(SESSION_COOKIE, cookieOptions(deps));
  deps.logger.info({ tenantId: session.tenantId }, 'portal session ended');
  res.status(204).end();
}
