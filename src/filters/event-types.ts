/**
 * Subscription patterns: an exact type (`order.created`), a prefix (`order.*`, matching every type
 * under `order.`) or `*` for everything.
 */

export const EVENT_TYPE_REGEX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const EVENT_TYPE_PATTERN_REGEX = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;

/** The service's own events (operational webhooks) have types under this prefix; producers may not use it. */
export const OPERATIONAL_PREFIX = 'webhook.';

export const OPERATIONAL_EVENT_TYPES = [
  'webhook.endpoint.failing',
  'webhook.endpoint.recovered',
  'webhook.endpoint.disabled',
  'webhook.endpoint.secret_rotated',
  'webhook.delivery.exhausted',
  'webhook.delivery.cancelled',
  'webhook.bulk_retry.finished',
  'webhook.replay.finished',
] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

export const isOperationalType = (type: string): boolean => type.startsWith(OPERATIONAL_PREFIX);

/**
 * Every pattern that matches `type`; lets the store match with an indexed `IN (...)`. `*` means
 * every type of the platform's, not the service's own: those are subscribed to by name or `webhook.*`.
 */
export function patternsMatching(type: string): string[] {
  const segments = type.split('.');
  const patterns = isOperationalType(type) ? [type] : ['*', type];
  for (let i = 1; i < segments.length; i++) patterns.push(`${segments.slice(0, i).join('.')}.*`);
  return patterns;
}

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return !isOperationalType(type);
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
