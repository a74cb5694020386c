/** Events: what producers post, singly or in batches, and how the API shows them. */
import { z } from 'zod';
import { nonFiniteNumberPaths } from '../core/json-value';
import { isOperationalType, OPERATIONAL_PREFIX } from '../filters/event-types';
import { eventIdSchema, eventTypeSchema, fieldErrorSchema, resourceIdSchema } from './common';
import { deliverySchema } from './deliveries';

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

export const dataRemovedReasonSchema = z
  .enum(['retention', 'expunged'])
  .describe('retention: RETENTION_DAYS passed; expunged: removed on request (DELETE /v1/events/{id}/payload).');

export const eventWithDeliveriesSchema = eventSchema.extend({
  data: z.record(z.string(), z.unknown()).nullable().describe('null once the payload was removed (see dataRemovedAt).'),
  dataRemovedAt: z.string().nullable().describe('When the payload and the response bodies of its attempts were removed; null while kept.'),
  dataRemovedReason: dataRemovedReasonSchema.nullable(),
  deliveries: z.array(deliverySchema),
});

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
