/** Jobs that run as workflows: bulk retries and replays. */
import { z } from 'zod';
import { eventIdSchema, isBefore, resourceIdSchema } from './common';

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
