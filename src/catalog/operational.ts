import { OPERATIONAL_EVENT_TYPES, type OperationalEventType } from '../filters/event-types';
import type { DeclaredEventType } from '../store/ledger';

/**
 * The service's own event types (operational webhooks), declared by the service itself: listed
 * in the catalog, the portal and /asyncapi.json beside the operator's, and never redeclared.
 */

const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;
const count = { type: 'integer', minimum: 0 } as const;

const endpointData = {
  tenantId: text,
  subscriptionId: text,
  url: { type: 'string', description: 'The endpoint URL without its query string.' },
  failingSince: { ...nullableText, description: 'Start of its current failing streak.' },
  disabledReason: nullableText,
};
const deliveryData = { tenantId: text, deliveryId: text, eventId: text, eventType: text, subscriptionId: text, attempts: count, reason: nullableText };
const jobData = { tenantId: nullableText, jobId: text, kind: { enum: ['bulk_retry', 'replay'] }, state: text, matched: count, started: count, skipped: count };

const objectOf = (properties: Record<string, object>, required: string[]) => ({ type: 'object', properties, required });

const SPECS: Record<OperationalEventType, { description: string; schema: object; example: Record<string, unknown> }> = {
  'webhook.endpoint.failing': {
    description: "An endpoint's attempt failed after a success: its failing streak starts (told once per streak; never sent to that endpoint).",
    schema: objectOf(endpointData, ['tenantId', 'subscriptionId', 'url']),
    example: { tenantId: 'acme', subscriptionId: 'sub_01J…', url: 'https://hooks.example.com/in', failingSince: '2026-12-05T00:00:00.000Z', disabledReason: null },
  },
  'webhook.endpoint.recovered': {
    description: 'An endpoint answered with success after a failing streak.',
    schema: objectOf(endpointData, ['tenantId', 'subscriptionId', 'url']),
    example: { tenantId: 'acme', subscriptionId: 'sub_01J…', url: 'https://hooks.example.com/in', failingSince: null, disabledReason: null },
  },
  'webhook.endpoint.disabled': {
    description: 'An endpoint was disabled: it answered 410 Gone, or kept failing for DISABLE_AFTER_FAILING_FOR.',
    schema: objectOf(endpointData, ['tenantId', 'subscriptionId', 'url', 'disabledReason']),
    example: { tenantId: 'acme', subscriptionId: 'sub_01J…', url: 'https://hooks.example.com/in', failingSince: null, disabledReason: 'endpoint answered 410 Gone' },
  },
  'webhook.endpoint.secret_rotated': {
    description: "An endpoint's signing secret was rotated; the previous one signs beside it until previousSecretExpiresAt.",
    schema: objectOf({ ...endpointData, previousSecretExpiresAt: text }, ['tenantId', 'subscriptionId', 'url', 'previousSecretExpiresAt']),
    example: { tenantId: 'acme', subscriptionId: 'sub_01J…', url: 'https://hooks.example.com/in', failingSince: null, disabledReason: null, previousSecretExpiresAt: '2026-12-06T00:00:00.000Z' },
  },
  'webhook.delivery.exhausted': {
    description: 'A delivery ended failed: its retry schedule was used up, or its endpoint is gone.',
    schema: objectOf(deliveryData, ['tenantId', 'deliveryId', 'eventId', 'eventType', 'subscriptionId', 'attempts']),
    example: { tenantId: 'acme', deliveryId: 'dlv_01J…', eventId: 'evt_01J…', eventType: 'order.created', subscriptionId: 'sub_01J…', attempts: 8, reason: 'receiver answered 503' },
  },
  'webhook.delivery.cancelled': {
    description: 'A delivery ended cancelled: by a cancel, a cancel of its event, or an expunge of its payload.',
    schema: objectOf(deliveryData, ['tenantId', 'deliveryId', 'eventId', 'eventType', 'subscriptionId', 'attempts']),
    example: { tenantId: 'acme', deliveryId: 'dlv_01J…', eventId: 'evt_01J…', eventType: 'order.created', subscriptionId: 'sub_01J…', attempts: 1, reason: 'cancelled' },
  },
  'webhook.bulk_retry.finished': {
    description: 'A bulk retry started every delivery it matched.',
    schema: objectOf(jobData, ['jobId', 'kind', 'matched', 'started', 'skipped']),
    example: { tenantId: 'acme', jobId: 'retry:rty_01J…', kind: 'bulk_retry', state: 'completed', matched: 12, started: 12, skipped: 0 },
  },
  'webhook.replay.finished': {
    description: "A replay re-delivered its window's events; the counts say how each ended.",
    schema: objectOf({ ...jobData, subscriptionId: text, succeeded: count, failed: count, cancelled: count }, ['jobId', 'kind', 'subscriptionId', 'matched', 'started']),
    example: { tenantId: 'acme', jobId: 'replay:rpl_01J…', kind: 'replay', subscriptionId: 'sub_01J…', state: 'completed', matched: 3, started: 3, skipped: 0, succeeded: 3, failed: 0, cancelled: 0 },
  },
};

/** When the service's own types were declared: a fixed time, so the catalog reads the same everywhere. */
const DECLARED_AT = '2026-12-05T00:00:00.000Z';

export const OPERATIONAL_CATALOG: DeclaredEventType[] = OPERATIONAL_EVENT_TYPES.map((type) => ({
  type,
  description: SPECS[type].description,
  schema: { ...SPECS[type].schema } as Record<string, unknown>,
  example: SPECS[type].example,
  deprecated: false,
  deprecatedAt: null,
  deprecatedMessage: null,
  replacedBy: null,
  version: 0,
  createdAt: DECLARED_AT,
  updatedAt: DECLARED_AT,
}));

/** The operator's declarations with the service's own types after them. */
export const withOperationalTypes = (declared: DeclaredEventType[]): DeclaredEventType[] => [...declared, ...OPERATIONAL_CATALOG];

export const operationalEntry = (type: string): DeclaredEventType | undefined => OPERATIONAL_CATALOG.find((e) => e.type === type);
