/**
 * Checks on free JSON (an event's `data`) as JSON.parse hands it over. Both walk iteratively:
 * a value may nest deeper than the call stack.
 */

export type JsonPath = (string | number)[];

/**
 * Where `value` holds numbers JSON cannot keep: JSON.parse reads `1e400` as Infinity, which
 * JSON.stringify would store as `null`. The first `max` of them, in document order.
 */
export function nonFiniteNumberPaths(value: unknown, max = 20): JsonPath[] {
  const found: JsonPath[] = [];
  const pending: [unknown, JsonPath][] = [[value, []]];
  for (let next = pending.pop(); next && found.length < max; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'number' && !Number.isFinite(item)) found.push(path);
    if (item === null || typeof item !== 'object') continue;
    const entries: [string | number, unknown][] = Array.isArray(item) ? item.map((v, i) => [i, v]) : Object.entries(item);
    // Pushed in reverse, so the stack pops them in document order.
    for (let i = entries.length - 1; i >= 0; i--) pending.push([entries[i]![1], [...path, entries[i]![0]]]);
  }
  return found;
}

/**
 * Whether two JSON values are the same by value, as they would be stored: numbers by `===`
 * (`-0` equals `0`, which JSON.stringify writes as `0`), objects whatever their key order.
 */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [x, y] = next;
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object' || Array.isArray(x) !== Array.isArray(y)) return false;
    const xKeys = Object.keys(x);
    if (xKeys.length !== Object.keys(y).length) return false;
    for (const key of xKeys) {
      if (!Object.hasOwn(y, key)) return false;
      pending.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}
