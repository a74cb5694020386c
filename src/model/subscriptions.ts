/** Subscriptions: the endpoints of receivers, what they receive and how they are sent to. */
import { z } from 'zod';
import { MAX_ATTEMPT_TIMEOUT_MS } from '../contract';
import { customHeadersSchema } from '../delivery/custom-headers';
import { filterSchema } from '../filters';
import { durationSchema, eventTypePatternSchema, resourceIdSchema, storedTextSchema } from './common';

export const MAX_TIMEOUT_MS = MAX_ATTEMPT_TIMEOUT_MS;

export const DEFAULT_TIMEOUT_MS = 15_000;

export const secretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'must be whsec_ followed by base64', abort: true })
  .refine((s) => {
    const bytes = Buffer.from(s.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'must encode 24 to 64 bytes');

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
