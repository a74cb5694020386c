/** What every resource shares: ids and names, free text, durations, pages and field errors. */
import { z } from 'zod';
import { parseDuration } from '../core/duration';
import { EVENT_TYPE_REGEX, EVENT_TYPE_PATTERN_REGEX } from '../filters/event-types';

/** The longest delay a retry schedule, a confirmation timeout or a portal link may name. */
export const MAX_SCHEDULE_DELAY_MS = 7 * 86_400_000;

export const eventTypeSchema = z
  .string()
  .max(200)
  .regex(EVENT_TYPE_REGEX, 'must be dot-separated words such as order.created');

export const eventTypePatternSchema = z
  .string()
  .max(200)
  .regex(EVENT_TYPE_PATTERN_REGEX, 'must be an event type (order.created), a prefix (order.*) or *');

export const durationSchema = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined || ms > MAX_SCHEDULE_DELAY_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be milliseconds or a duration like 5s, 30m, 2h (at most 7d)' });
      return z.NEVER;
    }
    return ms;
  });

/** Free text we store: PostgreSQL's text columns cannot hold NUL. */
export const storedTextSchema = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !text.includes('\u0000'), 'must not contain NUL characters');

/**
 * Any id a client names, in a path, a query or a filter: the ids we hand out (sub_…, dlv_…) and
 * event ids. Checked before use, so neither the ledger nor Temporal ever sees NUL, a slash or 10 KB.
 */
export const resourceIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may hold letters, digits and _ . : - only');

export const eventIdSchema = resourceIdSchema;

export const pageQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .min(1, 'must be between 1 and 100')
    .max(100, 'must be between 1 and 100')
    .default(50),
  cursor: resourceIdSchema.optional().describe('nextCursor of the previous page.'),
});

export type PageQuery = z.infer<typeof pageQuerySchema>;

/** Instants, not strings: `…00Z` sorts after `…00.5Z` as text. */
export const isBefore = (earlier: string, later: string) => Date.parse(earlier) < Date.parse(later);

/** Lists an operator may narrow to one tenant; a tenant key's are narrowed to its own. */
export const tenantPageQuerySchema = pageQuerySchema.extend({ tenantId: resourceIdSchema.optional() });

export type TenantPageQuery = z.infer<typeof tenantPageQuerySchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const fieldErrorSchema = z.strictObject({
  in: z.enum(['body', 'query', 'header', 'path', 'quota']).describe("Where the bad value is; quota: a tenant's limit reached (429)."),
  field: z.string().describe('Dotted path to the value, e.g. events.3.tenantId.'),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** Every error answer (RFC 9457 problem details): the gateway's, the OpenAPI document's and the tests' one shape. */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  errors: z.array(fieldErrorSchema).optional().describe('The fields at fault, each named.'),
  checks: z.record(z.string(), z.enum(['ok', 'unavailable'])).optional().describe('GET /healthz: each dependency and whether it answered.'),
  limit: z.string().optional().describe("429: the tenant's limit that was reached, e.g. requestsPerSecond"),
});
export type Problem = z.infer<typeof problemSchema>;
