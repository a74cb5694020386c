import type { RequestHandler } from 'express';

/**
 * Cache-Control for every /v1 answer, errors included. Secrets, tenant keys, portal links and
 * confirmation answers are spread over many routes; one rule for all of them cannot miss a new
 * one, and an API's answers are per caller anyway, so no shared cache should keep any of them.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
