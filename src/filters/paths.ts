import { MAX_PATH_SEGMENTS, MAX_SEGMENT_LENGTH } from './limits';

/** Segments that would walk the prototype chain instead of the data. */
const RESERVED_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const SEGMENT = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_SEGMENT_LENGTH}}$`);
/** A canonical array index: `0`, `12`; not `01`, `-1` or `1e3`. */
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** Why `path` is not a valid filter path, or undefined if it is. */
export function pathProblem(path: string): string | undefined {
  const segments = path.split('.');
  if (segments.length > MAX_PATH_SEGMENTS) {
    return `has ${segments.length} segments; a path has at most ${MAX_PATH_SEGMENTS}`;
  }
  for (const [index, segment] of segments.entries()) {
    if (RESERVED_SEGMENTS.has(segment)) {
      return `segment "${segment}" is not allowed: __proto__, constructor and prototype are refused`;
    }
    if (!SEGMENT.test(segment)) {
      return `segment ${index + 1} must be 1 to ${MAX_SEGMENT_LENGTH} characters of A-Z, a-z, 0-9, _ or -`;
    }
  }
  return undefined;
}

/** Marks a path that does not resolve; distinct from every JSON value, null included. */
export const MISSING: unique symbol = Symbol('missing');

/**
 * One step down: an own property of an object, or an in-range index of an array. Nothing else
 * resolves: not `length`, not a string's characters, not an inherited property. An own property
 * holding `undefined` (not JSON; JSON.stringify drops it) counts as missing.
 */
function child(container: unknown, segment: string): unknown {
  if (RESERVED_SEGMENTS.has(segment)) return MISSING; // the schema refuses these; never trust it alone
  if (Array.isArray(container)) {
    if (!ARRAY_INDEX.test(segment)) return MISSING;
    const index = Number(segment);
    return index < container.length && container[index] !== undefined ? container[index] : MISSING;
  }
  if (container === null || typeof container !== 'object' || !Object.hasOwn(container, segment)) return MISSING;
  const value = (container as Record<string, unknown>)[segment];
  return value === undefined ? MISSING : value;
}

/** The value at a dotted `path` in `data`, or MISSING. */
export function resolvePath(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const segment of path.split('.')) {
    value = child(value, segment);
    if (value === MISSING) return MISSING;
  }
  return value;
}
