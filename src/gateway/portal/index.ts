import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import { jsonParser } from '../validate';
import { endSession, type PortalDeps, sendSession, type SessionStep, signIn } from './session';

export type { PortalDeps } from './session';

const PUBLIC_DIR = path.join(__dirname, 'public');

/** The sign-in body is one token: anything near 4 KiB is not one. */
const SIGN_IN_BODY_LIMIT = { bytes: 4096, label: '4 KiB' };

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The page shows signing secrets and acts with the customer's session, so it may run only our own
 * scripts, may not be framed (clickjacking) and leaks no URL through Referer.
 */
const securityHeaders: RequestHandler = (req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Pages and session answers carry a CSRF token or a secret: never kept by a cache. Assets revalidate.
  res.setHeader('Cache-Control', req.path.startsWith('/assets/') ? 'no-cache' : 'no-store');
  next();
};

/** `/portal` without its slash would resolve the page's relative URLs against `/`. */
const slashRoot: RequestHandler = (req, res, next) => {
  if (req.originalUrl === req.baseUrl) return res.redirect(301, `${req.baseUrl}/`);
  next();
};

/**
 * The consumer portal: a static page (no build step) that talks to the same `/v1` API through a
 * session cookie, and the three session routes that open, show and end that session.
 */
export function createPortal(deps: PortalDeps): Router {
  const router = express.Router();
  router.use(securityHeaders);
  router.get('/', slashRoot);
  const handle = (step: SessionStep): RequestHandler => (req, res, next) => {
    step(req, res, deps).catch(next);
  };
  // Only a JSON body is read: signIn answers 415 to anything else (no form can sign a visitor in).
  router.post('/session', jsonParser(SIGN_IN_BODY_LIMIT, 'application/json'), handle(signIn));
  router.get('/session', handle(sendSession));
  router.delete('/session', handle(endSession));
  // `/portal/login` serves login.html; a missing file falls through to the gateway's 404.
  router.use(express.static(PUBLIC_DIR, { index: 'index.html', extensions: ['html'], redirect: false }));
  return router;
}
