/**
 * Subscription filters: which events' `data` a subscription receives.
 *
 * A filter is a JSON object; every key must hold (implicit AND). `{}` matches everything.
 * - A path key reaches into `data`: dot-separated segments (`order.total`, `items.0.sku`), at most
 *   10, each 1–100 of `[A-Za-z0-9_-]`. A segment is an object's own property or, on an array, a
 *   canonical index (`0`, `12`) in range; nothing else resolves (no `length`, no string characters,
 *   no inherited properties), and `__proto__`, `constructor`, `prototype` are refused outright.
 * - `$and: [f, …]`, `$or: [f, …]` (1–20 filters each) and `$not: f` combine filters.
 * A path key holds a literal (string, number, boolean or null: equality) or an object of one or
 * more operators, all of which must hold:
 *   `$eq`, `$neq` (a literal); `$gt`, `$gte`, `$lt`, `$lte` (a number or a string: numbers compare
 *   with numbers, strings with strings by UTF-16 code units, mixed kinds never match); `$in`, `$nin`
 *   (1–100 literals); `$exists` (true: the path resolves, to any value including null; false: it
 *   does not); `$startsWith` (a string; matches strings only).
 * Equality is `===` on JSON scalars: no coercion (`"5"` ≠ `5`), no Unicode normalization, and a
 * literal never equals an object or array (no array-contains as in Mongo: `tags: "rush"` does not
 * match `["rush"]`; name the element, `tags.0`). A missing path is unequal to every value, so every
 * operator is false on it except `$exists: false`, `$neq` and `$nin`, which are true (as in Mongo,
 * Convoy and Hookdeck filters); `null` is a value, not a missing path.
 * Limits (schema-enforced): $and/$or/$not nest at most 5 deep; at most 50 conditions (each path
 * operator, or literal, counts one); at most 4 KiB of JSON (UTF-8). No regexes, no code, no loops:
 * evaluation is one pass over the filter, resolving each path key once.
 */
export { MAX_FILTER_BYTES, MAX_FILTER_CONDITIONS, MAX_FILTER_DEPTH } from './limits';
export { filterSchema } from './schema';
export { matchesFilter } from './evaluate';
export type { Filter, Literal, PathCondition, PathOperators } from './types';
export { receives, type Receivable, type Receiver } from './receives';
