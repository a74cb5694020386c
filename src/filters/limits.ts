/** The filter language's limits; the schema enforces them, the evaluator relies on them. */

/** The filter's JSON, UTF-8 encoded: it is stored with the subscription and read on every fan-out. */
export const MAX_FILTER_BYTES = 4096;
/** Path conditions in one filter (each operator in an operator object counts one). */
export const MAX_FILTER_CONDITIONS = 50;
/** How deep `$and` / `$or` / `$not` may nest; bounds the evaluator's recursion. */
export const MAX_FILTER_DEPTH = 5;
/** Filters in one `$and` or `$or`. */
export const MAX_LOGICAL_FILTERS = 20;
/** Values in one `$in` or `$nin`. */
export const MAX_IN_VALUES = 100;
/** Segments in one path (`a.b.c` has three). */
export const MAX_PATH_SEGMENTS = 10;
/** Characters in one path segment. */
export const MAX_SEGMENT_LENGTH = 100;
