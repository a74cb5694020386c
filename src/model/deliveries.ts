/** Deliveries and their attempts: one event to one subscription, and how to list them. */
import { z } from 'zod';
import { deliveryStatusSchema, type DeliveryStatus } from '../delivery/status';
import { eventIdSchema, eventTypeSchema, isBefore, resourceIdSchema, tenantPageQuerySchema } from './common';

// The status vocabulary belongs to the delivery rules; the API shows it as it is.
export { deliveryStatusSchema, type DeliveryStatus };

/** The capability in a webhook-confirm-url: base64url and a dot. Its signature is checked later (403). */
export const confirmationTokenSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_.-]+$/, 'is not a confirmation token');

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

export const deliveryWithAttemptsSchema = deliverySchema.extend({ attempts: z.array(attemptSchema) });

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
