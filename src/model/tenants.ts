/** Tenants: the platform's customers, named by the platform's own ids, with their keys, limits and portal links. */
import { z } from 'zod';
import { durationSchema, storedTextSchema } from './common';

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
