import crypto from 'node:crypto';

/**
 * Bearer secrets we hand out (tenant keys, portal links and sessions): 32 random bytes behind a
 * prefix that says what they are. Only their SHA-256 is stored; with 256 bits of entropy a plain
 * hash is as good as a slow one and lets the ledger find a token by an indexed equality.
 */
export const TOKEN_PREFIX = { tenantKey: 'whk_', portalLink: 'whl_', portalSession: 'whs_' } as const;

export function newBearerToken(prefix: string): string {
  return prefix + crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
