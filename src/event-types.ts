/**
 * Subscription patterns: an exact type (`order.created`), a prefix (`order.*`, matching every type
 * under `order.`) or `*` for everything.
 */

export const EVENT_TYPE_REGEX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const EVENT_TYPE_PATTERN_REGEX = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;

/** Every pattern that matches `type`; lets the store match with an indexed `IN (...)`. */
export function patternsMatching(type: string): string[] {
  const segments = type.split('.');
  const patterns = ['*', type];
  for (let i = 1; i < segments.length; i++) patterns.push(`${segments.slice(0, i).join('.')}.*`);
  return patterns;
}

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
