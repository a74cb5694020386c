import { z } from 'zod';
import { EVENT_TYPE_PATTERN_REGEX, EVENT_TYPE_REGEX, isOperationalType, OPERATIONAL_PREFIX } from '../filters/event-types';
import { filterSchema } from '../filters';
import { nonFiniteNumberPaths } from '../core/json-value';
import { parseDuration } from '../core/duration';
import { MAX_ATTEMPT_TIMEOUT_MS } from '../contract';
import { customHeadersSchema } from '../delivery/custom-headers';

/**
 * The API's shapes. The gateway validates with these, the OpenAPI document is generated from them
 * and the rest of the code takes its types from them.
 */

export const MAX_TIMEOUT_MS = MAX_ATTEMPT_TIMEOUT_MS;
export const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_SCHEDULE_DELAY_MS = 7 * 86_400_000;

export const eventTypeSchema = z
  .string()
  .max(200)
  .regex(EVENT_TYPE_REGEX, 'must be dot-separated words such as order.created');

export const eventTypePatternSchema = z
  .string()
  .max(200)
  .regex(EVENT_TYPE_PATTERN_REGEX, 'must be an event type (order.created), a prefix (order.*) or *');

export const secretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'must be whsec_ followed by base64', abort: true })
  .refine((s) => {
    const bytes = Buffer.from(s.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'must encode 24 to 64 bytes');

const durationSchema = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined || ms > MAX_SCHEDULE_DELAY_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be milliseconds or a duration like 5s, 30m, 2h (at most 7d)' });
      return z.NEVER;
    }
    return ms;
  });

export const retryScheduleSchema = z
  .array(durationSchema)
  .min(1)
  .max(50)
  .describe('Delay before each attempt (ms or 5s/5m/2h); its length is the number of attempts.');

/**
 * The shape of a receiver URL only. Whether its host is public depends on ALLOW_PRIVATE_NETWORKS,
 * so the subscriptions route checks that (src/http/private-address.ts).
 */
export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048)
  // What we store is the URL as given, and PostgreSQL's text columns cannot hold NUL.
  .refine((u) => ![...u].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: 'must not contain control characters',
    abort: true,
  })
  .refine((u) => {
    // zod runs this even when the URL check above failed; parsing must not throw then (a 500).
    if (!URL.canParse(u)) return true;
    const parsed = new URL(u);
    return parsed.username === '' && parsed.password === '';
  }, 'must not carry credentials');

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

export const MAX_CONFIRMATION_TIMEOUT_MS = 7 * 86_400_000;
export const DEFAULT_CONFIRMATION_TIMEOUT_MS = 10 * 60_000;

export const confirmationInputSchema = z
  .strictObject({
    required: z.boolean(),
    timeout: durationSchema
      .refine((ms) => ms >= 1000 && ms <= MAX_CONFIRMATION_TIMEOUT_MS, 'must be between 1s and 7d')
      .optional()
      .describe('How long the receiver has to POST to webhook-confirm-url (default 10m).'),
  })
  .describe('Require receivers to confirm each webhook after processing it.');

export const orderingSchema = z
  .enum(['unordered', 'fifo'])
  .describe(
    'fifo: deliveries are attempted one at a time in sequence order; the next waits until the previous one has ended (succeeded, failed or cancelled).',
  );

export const createSubscriptionSchema = z.strictObject({
  tenantId: resourceIdSchema
    .optional()
    .describe('The tenant the endpoint belongs to: required with the operator token, implied by a tenant key.'),
  url: webhookUrlSchema,
  eventTypes: z.array(eventTypePatternSchema).min(1).max(100),
  description: storedTextSchema(500).optional(),
  secret: secretSchema.optional(),
  retrySchedule: retryScheduleSchema.optional(),
  timeoutMs: z.number().int().min(100).max(MAX_TIMEOUT_MS).optional(),
  confirmation: confirmationInputSchema.optional(),
  maxConcurrency: z.number().int().min(1).max(1000).optional().describe('Requests in flight to this endpoint at most, across all workers.'),
  rateLimitPerSecond: z.number().int().min(1).max(10_000).optional().describe('Requests per second to this endpoint at most, across all workers.'),
  ordering: orderingSchema.optional(),
  filter: filterSchema
    .optional()
    .describe('Only events whose data matches get a delivery: paths (order.total) with $eq, $neq, $gt, $gte, $lt, $lte, $in, $nin, $exists, $startsWith, and $and/$or/$not. See docs/operating.md, Payload filters.'),
  headers: customHeadersSchema.optional(),
});
export type CreateSubscriptionInput = z.infer<typeof createSubscriptionSchema>;

export const updateSubscriptionSchema = z
  .strictObject({
    url: webhookUrlSchema,
    eventTypes: z.array(eventTypePatternSchema).min(1).max(100),
    description: storedTextSchema(500).nullable(),
    retrySchedule: retryScheduleSchema.nullable(),
    timeoutMs: z.number().int().min(100).max(MAX_TIMEOUT_MS),
    confirmation: confirmationInputSchema,
    maxConcurrency: z.number().int().min(1).max(1000).nullable(),
    rateLimitPerSecond: z.number().int().min(1).max(10_000).nullable(),
    ordering: orderingSchema,
    filter: filterSchema.nullable().describe('null removes the filter.'),
    headers: customHeadersSchema.nullable().describe('Replaces the whole set; null or {} removes every custom header.'),
    status: z.enum(['active', 'disabled']).describe('Set active to re-enable a disabled subscription.'),
  })
  .partial();
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionSchema>;

export const subscriptionStatusSchema = z.enum(['active', 'disabled']);

export const subscriptionSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.string()),
  retrySchedule: z.array(z.number()).describe('Delay in ms before each attempt.'),
  timeoutMs: z.number(),
  confirmation: z.object({ required: z.boolean(), timeoutMs: z.number().nullable() }),
  maxConcurrency: z.number().nullable(),
  rateLimitPerSecond: z.number().nullable(),
  ordering: orderingSchema,
  filter: z.record(z.string(), z.unknown()).nullable().describe('The payload filter, or null when every event of its types matches.'),
  headers: z
    .record(z.string(), z.string())
    .describe('Custom headers sent with every attempt. Lists show the names with each value masked; one subscription shows the values.'),
  status: subscriptionStatusSchema,
  failingSince: z.string().nullable().describe('When the current run of failed attempts began.'),
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  previousSecretExpiresAt: z
    .string()
    .nullable()
    .describe('After a secret rotation: until then each request is signed with the previous secret too.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

/** The longest a rotated-out secret may keep signing. */
export const MAX_SECRET_ROTATION_GRACE_MS = 7 * 86_400_000;

export const rotateSecretSchema = z.strictObject({
  secret: secretSchema.optional().describe('The new secret; a whsec_ one is generated when absent.'),
  grace: durationSchema
    .refine((ms) => ms <= MAX_SECRET_ROTATION_GRACE_MS, 'must be at most 7d')
    .optional()
    .describe('How long the previous secret keeps signing beside the new one (default SECRET_ROTATION_GRACE, 24h).'),
});

export const createdSubscriptionSchema = subscriptionSchema.extend({
  secret: z.string().describe('The signing secret. Shown only in this response.'),
});


export const eventIdSchema = resourceIdSchema;

/** The capability in a webhook-confirm-url: base64url and a dot. Its signature is checked later (403). */
export const confirmationTokenSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_.-]+$/, 'is not a confirmation token');

/** Levels of objects and arrays `data` may nest: `{}` is one, `{"a": []}` two. */
export const MAX_DATA_DEPTH = 32;

/**
 * Whether a JSON value nests objects and arrays deeper than `limit`. Iterative on purpose: the
 * value may be deeper than the call stack (JSON.parse copes with 100,000 levels, JSON.stringify does not).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

const NON_FINITE_NUMBER = 'must be a finite number (at most about 1.8e308 in size)';

export const eventDataSchema = z
  .record(z.string(), z.unknown())
  .refine((data) => !nestsDeeperThan(data, MAX_DATA_DEPTH), `nests deeper than ${MAX_DATA_DEPTH} levels`)
  .superRefine((data, ctx) => {
    // `1e400` parses as Infinity and would be stored as null: refused, naming where it is.
    for (const path of nonFiniteNumberPaths(data)) ctx.addIssue({ code: 'custom', path, message: NON_FINITE_NUMBER });
  })
  .describe(`The event payload, a JSON object nesting at most ${MAX_DATA_DEPTH} levels of objects and arrays; its numbers finite.`);

/**
 * An event names the one tenant whose subscriptions it reaches. Reaching every tenant is said
 * outright (`broadcast: true`): a forgotten tenantId must not send one customer's data to all.
 */
export const createEventSchema = z
  .strictObject({
    id: eventIdSchema.optional().describe('Your id for the event; posting it again returns the existing event.'),
    tenantId: resourceIdSchema.optional().describe("The tenant whose subscriptions the event reaches (or set broadcast)."),
    broadcast: z.literal(true).optional().describe("Reach every tenant's matching subscriptions instead of one tenant's."),
    type: eventTypeSchema.refine((t) => !isOperationalType(t), `may not start with ${OPERATIONAL_PREFIX}: that prefix is reserved for the service's own events`),
    data: eventDataSchema,
  })
  .superRefine((e, ctx) => {
    if (e.tenantId === undefined && e.broadcast === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tenantId'], message: 'is required: name the tenant, or set broadcast: true to reach every tenant' });
    }
    if (e.tenantId !== undefined && e.broadcast !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['broadcast'], message: 'cannot be combined with tenantId' });
    }
  });
export type CreateEventInput = z.infer<typeof createEventSchema>;

export const testEventSchema = z.strictObject({
  eventType: eventTypeSchema.default('webhook.test').describe('Default webhook.test; any type, whatever the endpoint subscribes to.'),
  data: eventDataSchema.default({ message: 'A test event from the webhook service' }),
});

import { deliveryStatusSchema, type DeliveryStatus } from '../delivery/status';

export { deliveryStatusSchema, type DeliveryStatus };

export const eventStatusSchema = z
  .enum(['accepted', 'dispatched', 'cancelled'])
  .describe('accepted: recorded, fan-out not yet done; dispatched: deliveries recorded; cancelled: stopped before its fan-out.');

export const eventSchema = z.object({
  id: z.string(),
  tenantId: z.string().nullable().describe('null for a broadcast event.'),
  type: z.string(),
  status: eventStatusSchema,
  createdAt: z.string(),
});
export type WebhookEvent = z.infer<typeof eventSchema>;

export const attemptOutcomeSchema = z.enum(['sending', 'awaiting_confirmation', 'succeeded', 'failed', 'abandoned']);
export type AttemptOutcome = z.infer<typeof attemptOutcomeSchema>;

export const attemptSchema = z.object({
  number: z.number(),
  outcome: attemptOutcomeSchema,
  startedAt: z.string(),
  durationMs: z.number().nullable(),
  statusCode: z.number().nullable(),
  error: z.string().nullable(),
  responseBody: z.string().nullable().describe('At most 4 KiB of what the receiver answered.'),
});
export type Attempt = z.infer<typeof attemptSchema>;

export const deliverySchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  subscriptionId: z.string(),
  sequence: z.number().describe("Per subscription, strictly increasing in the order the events were accepted; sent as webhook-sequence."),
  status: deliveryStatusSchema,
  attemptCount: z.number(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const dataRemovedReasonSchema = z
  .enum(['retention', 'expunged'])
  .describe('retention: RETENTION_DAYS passed; expunged: removed on request (DELETE /v1/events/{id}/payload).');

export const eventWithDeliveriesSchema = eventSchema.extend({
  data: z.record(z.string(), z.unknown()).nullable().describe('null once the payload was removed (see dataRemovedAt).'),
  dataRemovedAt: z.string().nullable().describe('When the payload and the response bodies of its attempts were removed; null while kept.'),
  dataRemovedReason: dataRemovedReasonSchema.nullable(),
  deliveries: z.array(deliverySchema),
});

export const deliveryWithAttemptsSchema = deliverySchema.extend({ attempts: z.array(attemptSchema) });

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
const isBefore = (earlier: string, later: string) => Date.parse(earlier) < Date.parse(later);

/** Lists an operator may narrow to one tenant; a tenant key's are narrowed to its own. */
export const tenantPageQuerySchema = pageQuerySchema.extend({ tenantId: resourceIdSchema.optional() });
export type TenantPageQuery = z.infer<typeof tenantPageQuerySchema>;

export const deliveryFilterSchema = tenantPageQuerySchema
  .extend({
    eventId: eventIdSchema.optional(),
    subscriptionId: resourceIdSchema.optional(),
    status: deliveryStatusSchema.optional(),
    eventType: eventTypeSchema.optional(),
    since: z.iso.datetime().optional().describe('Deliveries created at or after this time.'),
    until: z.iso.datetime().optional().describe('Deliveries created before this time.'),
  })
  .refine((f) => f.since === undefined || f.until === undefined || isBefore(f.since, f.until), {
    path: ['until'],
    message: 'must be after since',
  });
export type DeliveryFilter = z.infer<typeof deliveryFilterSchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Deliveries one bulk retry may start. */
export const MAX_BULK_RETRY = 10_000;

export const bulkRetrySchema = z
  .strictObject({
    tenantId: resourceIdSchema.optional().describe("Only this tenant's deliveries (a tenant key's own, always)."),
    subscriptionId: resourceIdSchema.optional(),
    eventId: eventIdSchema.optional(),
    status: z.enum(['failed', 'cancelled']).default('failed'),
    since: z.iso.datetime().optional().describe('Deliveries created at or after this time.'),
    until: z.iso.datetime().optional().describe('Deliveries created before this time.'),
    limit: z.number().int().min(1).max(MAX_BULK_RETRY).default(100),
  })
  .refine((f) => f.since === undefined || f.until === undefined || isBefore(f.since, f.until), {
    path: ['until'],
    message: 'must be after since',
  });
export type BulkRetryInput = z.infer<typeof bulkRetrySchema>;

export const bulkRetryJobSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed', 'cancelled', 'failed', 'terminated']),
  filter: bulkRetrySchema,
  matched: z.number().describe('Deliveries found so far.'),
  started: z.number().describe('Deliveries started again so far.'),
  skipped: z.number().describe('Deliveries that could not be retried (see skippedSample).'),
  skippedSample: z.array(z.object({ id: z.string(), reason: z.string() })).describe('The first 20 skipped deliveries and why.'),
});

export const MAX_REPLAY_EVENTS = 1000;

export const replayInputSchema = z
  .strictObject({
    since: z.iso.datetime(),
    until: z.iso.datetime().optional().describe('Default: now.'),
    limit: z.number().int().min(1).max(MAX_REPLAY_EVENTS).default(MAX_REPLAY_EVENTS),
  })
  .refine((r) => r.until === undefined || isBefore(r.since, r.until), { path: ['until'], message: 'must be after since' });

export const replaySchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  since: z.string(),
  until: z.string(),
  limit: z.number(),
  status: z.enum(['running', 'completed', 'cancelled', 'failed', 'terminated']),
  matched: z.number(),
  started: z.number(),
  skipped: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  cancelled: z.number(),
});

/** A tenant: one of the platform's customers, named by the platform's own id for it. */
/**
 * What one tenant's callers (its keys and portal sessions) may use; the operator is exempt. Each
 * limit left out takes its default (TENANT_LIMIT_DEFAULTS). Counted in the ledger, so every gateway
 * and worker sees the same counts.
 */
export const tenantLimitsInputSchema = z.strictObject({
  requestsPerSecond: z.int().min(1).max(10_000).optional().describe('API requests per second by its keys and portal sessions.'),
  subscriptions: z.int().min(0).max(100_000).optional().describe('Subscriptions it may have (not deleted).'),
  testEventsPerMinute: z.int().min(0).max(10_000).optional().describe('Test events it may send per minute.'),
  concurrentJobs: z.int().min(0).max(100).optional().describe('Bulk retries and replays running at once.'),
  attemptsInFlight: z.int().min(1).max(10_000).optional().describe("HTTP attempts in flight at once across the tenant's endpoints."),
});
export type TenantLimitsInput = z.infer<typeof tenantLimitsInputSchema>;

export const TENANT_LIMIT_DEFAULTS = {
  requestsPerSecond: 50,
  subscriptions: 50,
  testEventsPerMinute: 10,
  concurrentJobs: 1,
  attemptsInFlight: 50,
} as const satisfies Required<TenantLimitsInput>;

export const tenantLimitsSchema = z.object({
  requestsPerSecond: z.number(),
  subscriptions: z.number(),
  testEventsPerMinute: z.number(),
  concurrentJobs: z.number(),
  attemptsInFlight: z.number(),
});
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;

/** Temporal clamps fairness weights to [0.001, 1000]. */
export const fairnessWeightSchema = z.number().min(0.001).max(1000);

export const putTenantSchema = z.strictObject({
  name: storedTextSchema(200).min(1),
  fairnessWeight: fairnessWeightSchema
    .default(1)
    .describe("The tenant's share of workers against other tenants' when the task queue is backlogged (Temporal's fairness weight; 1 by default, 0.001 to 1000)."),
  limits: tenantLimitsInputSchema.default({}).describe('Limits for its callers; each one left out takes its default.'),
  retentionDays: z
    .number()
    .positive()
    .max(3650)
    .nullable()
    .default(null)
    .describe("Days its events' payloads and response bodies are kept (fractions allowed); null: the service's RETENTION_DAYS."),
  metadata: z
    .record(z.string().max(100), storedTextSchema(1000))
    .refine((m) => Object.keys(m).length <= 50, 'may hold at most 50 keys')
    .default({})
    .describe('Your own string key-value pairs (at most 50).'),
});
export type PutTenantInput = z.infer<typeof putTenantSchema>;

export const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  metadata: z.record(z.string(), z.string()),
  fairnessWeight: z.number().describe("The tenant's share of the task queue against other tenants' (1 by default)."),
  limits: z.lazy(() => tenantLimitsSchema),
  retentionDays: z.number().nullable().describe("Days its payloads are kept; null: the service's RETENTION_DAYS."),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Tenant = z.infer<typeof tenantSchema>;

/** The longest a tenant key may live; keys without an expiry live until revoked. */
const MAX_KEY_LIFETIME_MS = 5 * 365 * 86_400_000;

export const createTenantKeySchema = z.strictObject({
  name: storedTextSchema(200).optional(),
  expiresAt: z.iso
    .datetime()
    .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
    .refine((at) => Date.parse(at) < Date.now() + MAX_KEY_LIFETIME_MS, 'must be within 5 years')
    .optional()
    .describe('When the key stops working; default never (until revoked).'),
});
export type CreateTenantKeyInput = z.infer<typeof createTenantKeySchema>;

export const tenantKeySchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string().nullable(),
  prefix: z.string().describe('The first characters of the key, to recognise it.'),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type TenantKey = z.infer<typeof tenantKeySchema>;

export const createdTenantKeySchema = tenantKeySchema.extend({
  key: z.string().describe('The key, for `Authorization: Bearer …`. Shown only in this response; only its hash is stored.'),
});

export const MAX_PORTAL_LINK_TTL_MS = 60 * 60_000;
export const MAX_PORTAL_SESSION_TTL_MS = 7 * 86_400_000;

export const createPortalSessionSchema = z.strictObject({
  linkExpiresIn: durationSchema
    .refine((ms) => ms >= 10_000 && ms <= MAX_PORTAL_LINK_TTL_MS, 'must be between 10s and 1h')
    .default(15 * 60_000)
    .describe('How long the single-use link can be opened (default 15m, at most 1h).'),
  sessionExpiresIn: durationSchema
    .refine((ms) => ms >= 60_000 && ms <= MAX_PORTAL_SESSION_TTL_MS, 'must be between 1m and 7d')
    .default(8 * 3_600_000)
    .describe('How long the session the link opens lasts (default 8h, at most 7d).'),
});
export type CreatePortalSessionInput = z.infer<typeof createPortalSessionSchema>;

export const portalLinkSchema = z.object({
  url: z.string().describe('The single-use link to hand to the customer; its token is in the fragment, never sent in a request line.'),
  expiresAt: z.string(),
});

export const subscriptionSecretSchema = z.object({
  secret: z.string(),
  previousSecretExpiresAt: z.string().nullable(),
});


export const endpointStatsSchema = z.object({
  since: z.string(),
  until: z.string(),
  attempts: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  successRate: z.number().nullable().describe('succeeded / (succeeded + failed); null without settled attempts.'),
  avgDurationMs: z.number().nullable(),
  maxDurationMs: z.number().nullable(),
  hours: z
    .array(
      z.object({
        start: z.string(),
        attempts: z.number(),
        succeeded: z.number(),
        failed: z.number(),
        avgDurationMs: z.number().nullable(),
      }),
    )
    .describe('One entry per hour of the last 24, oldest first.'),
});
export type EndpointStats = z.infer<typeof endpointStatsSchema>;

// ---- Batch event intake (POST /v1/events/batch) ----

/** Events one batch may hold; the route's body may be 5 MiB (gateway/routes/events.ts). */
export const MAX_BATCH_EVENTS = 1000;

/**
 * A batch item is checked on its own by the route, against createEventSchema: one bad item must
 * not reject its neighbours, so the body schema takes any value here. The OpenAPI document still
 * shows an item's real shape: zod copies this metadata into the generated JSON Schema.
 */
const batchItemSchema = z
  .unknown()
  .meta({
    ...z.toJSONSchema(createEventSchema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }),
    description: 'An event, as the body of POST /v1/events; validated on its own (an invalid one is a 400 result, not a rejected batch).',
  });

export const createEventBatchSchema = z.strictObject({
  events: z
    .array(batchItemSchema)
    .min(1)
    .max(MAX_BATCH_EVENTS)
    .describe(`1 to ${MAX_BATCH_EVENTS} events, recorded in this order (their acceptance order).`),
});

export const fieldErrorSchema = z.object({
  in: z.enum(['body', 'query', 'header', 'path']),
  field: z.string().describe('Dotted path to the value, e.g. events.3.tenantId.'),
  message: z.string(),
});

export const eventBatchResultSchema = z.object({
  results: z
    .array(
      z.discriminatedUnion('status', [
        z.object({ status: z.literal(202), event: eventSchema }).describe('Recorded now; its deliveries are starting.'),
        z.object({ status: z.literal(200), event: eventSchema }).describe('An event with this id and the same content already exists (or came earlier in this batch).'),
        z.object({ status: z.literal(400), errors: z.array(fieldErrorSchema) }).describe('Invalid; fields are named events.<index>.<field>.'),
        z.object({ status: z.literal(409), detail: z.string() }).describe('The id is taken by a different event (another tenant, type or data).'),
      ]),
    )
    .describe("One result per item, in the items' order."),
});
export type EventBatchResult = z.infer<typeof eventBatchResultSchema>['results'][number];
