import { isPlainObject } from './types';

/** Bytes of a scalar as JSON.stringify writes it (anything that is not JSON counts as `null`). */
function scalarBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value).length;
  if (typeof value === 'boolean') return value ? 4 : 5;
  return 4;
}

/**
 * The UTF-8 length of `JSON.stringify(value)`, counted only until it passes `limit` (then some
 * number above `limit`). Iterative and cut short on purpose: a request body can nest 100 000 levels
 * deep (JSON.stringify overflows the stack on it) or, from code, be cyclic; neither may hang or throw.
 */
export function jsonBytesUpTo(value: unknown, limit: number): number {
  const pending: unknown[] = [value];
  let bytes = 0;
  while (pending.length > 0 && bytes <= limit) {
    const next = pending.pop();
    if (Array.isArray(next)) {
      // Brackets and commas first: a huge array passes the limit before its items are queued.
      bytes += 2 + Math.max(0, next.length - 1);
      if (bytes <= limit) for (const item of next) pending.push(item);
    } else if (isPlainObject(next)) {
      const keys = Object.keys(next);
      bytes += 2 + Math.max(0, keys.length - 1);
      for (const key of keys) {
        if (bytes > limit) break;
        bytes += scalarBytes(key) + 1; // the key and its colon
        pending.push(next[key]);
      }
    } else {
      bytes += scalarBytes(next);
    }
  }
  return bytes;
}
