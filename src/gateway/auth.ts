import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors';

/** Requires `Authorization: Bearer <token>`, compared in constant time. */
export function requireBearer(token: string): RequestHandler {
  const expected = crypto.createHash('sha256').update(token).digest();
  return (req, _res, next) => {
    const match = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '');
    const given = crypto.createHash('sha256').update(match?.[1] ?? '').digest();
    if (!match || !crypto.timingSafeEqual(given, expected)) return next(new UnauthorizedError());
    next();
  };
}
