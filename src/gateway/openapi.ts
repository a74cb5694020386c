import { z } from 'zod';
import {
  bulkRetryJobSchema,
  bulkRetrySchema,
  confirmationTokenSchema,
  createdSubscriptionSchema,
  createEventSchema,
  createSubscriptionSchema,
  deliveryFilterSchema,
  deliverySchema,
  deliveryWithAttemptsSchema,
  eventIdSchema,
  eventSchema,
  eventWithDeliveriesSchema,
  pageQuerySchema,
  pageSchema,
  replayInputSchema,
  replaySchema,
  resourceIdSchema,
  subscriptionSchema,
  updateSubscriptionSchema,
} from '../model';

/** The OpenAPI document, generated from the same zod schemas the gateway validates with. */

type Schema = z.ZodType;
const json = (schema: Schema, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, target: 'openapi-3.0', unrepresentable: 'any' });

const problem = {
  description: 'Problem details (RFC 9457)',
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: { in: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

const ok = (description: string, schema: Schema) => ({
  description,
  content: { 'application/json': { schema: json(schema, 'output') } },
});
const body = (schema: Schema) => ({ required: true, content: { 'application/json': { schema: json(schema, 'input') } } });
const errors = { 400: problem, 401: problem, 404: problem, 413: problem, 415: problem };
const conflict = { ...errors, 409: problem };

/** What each path parameter may hold; the gateway checks these before any route runs (validatePathParams). */
export const PATH_PARAMETER_SCHEMAS = { id: resourceIdSchema, token: confirmationTokenSchema } satisfies Record<string, Schema>;
const pathParam = (name: keyof typeof PATH_PARAMETER_SCHEMAS) => ({
  name,
  in: 'path',
  required: true,
  schema: json(PATH_PARAMETER_SCHEMAS[name], 'input'),
});
const idParam = pathParam('id');

/** Query parameters from a zod object, one OpenAPI parameter per key. */
function queryParams(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: json(field as Schema, 'input'),
  }));
}

/** Subscriptions and their replays. */
function subscriptionPaths() {
  return {
    '/v1/subscriptions': {
      post: {
        summary: 'Create a subscription',
        requestBody: body(createSubscriptionSchema),
        responses: { 201: ok('Created; the secret is shown only here', createdSubscriptionSchema), ...errors },
      },
      get: {
        summary: 'List subscriptions, newest first',
        parameters: queryParams(pageQuerySchema),
        responses: { 200: ok('A page of subscriptions', pageSchema(subscriptionSchema)), ...errors },
      },
    },
    '/v1/subscriptions/{id}': {
      parameters: [idParam],
      get: { summary: 'Get a subscription', responses: { 200: ok('The subscription', subscriptionSchema), ...errors } },
      patch: {
        summary: 'Change a subscription; `status: active` re-enables it',
        requestBody: body(updateSubscriptionSchema),
        responses: { 200: ok('The subscription', subscriptionSchema), ...errors },
      },
      delete: { summary: 'Delete a subscription', responses: { 204: { description: 'Deleted' }, ...errors } },
    },
    '/v1/subscriptions/{id}/replay': {
      parameters: [idParam],
      post: {
        summary: "Re-deliver the subscription's events of a time window (bounded), as a cancellable replay",
        requestBody: body(replayInputSchema),
        responses: { 202: ok('The replay, started', replaySchema), ...conflict },
      },
    },
    '/v1/replays/{id}': {
      parameters: [idParam],
      get: { summary: "A replay's progress", responses: { 200: ok('The replay', replaySchema), ...errors } },
    },
    '/v1/replays/{id}/cancel': {
      parameters: [idParam],
      post: { summary: 'Stop a replay and cancel its re-deliveries in flight', responses: { 202: ok('Cancelling', replaySchema), ...conflict } },
    },
  };
}

function eventPaths() {
  return {
    '/v1/events': {
      post: {
        summary: 'Send an event to every matching subscription',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            schema: json(eventIdSchema, 'input'),
            description: 'Used as the event id when the body has none.',
          },
        ],
        requestBody: body(createEventSchema),
        responses: {
          202: ok('Accepted; deliveries are starting', eventSchema),
          200: ok('An event with this id already exists; nothing new was started', eventSchema),
          ...errors,
        },
      },
    },
    '/v1/events/{id}': {
      parameters: [idParam],
      get: { summary: 'An event with its deliveries', responses: { 200: ok('The event', eventWithDeliveriesSchema), ...errors } },
    },
    '/v1/events/{id}/cancel': {
      parameters: [idParam],
      post: { summary: 'Cancel every delivery of the event that has not ended', responses: { 202: { description: 'Cancelling' }, ...errors } },
    },
  };
}

/** Deliveries, one at a time and in bulk (retry jobs). */
function deliveryPaths() {
  return {
    '/v1/deliveries': {
      get: {
        summary: 'List deliveries, newest first',
        parameters: queryParams(deliveryFilterSchema),
        responses: { 200: ok('A page of deliveries', pageSchema(deliverySchema)), ...errors },
      },
    },
    '/v1/deliveries/{id}': {
      parameters: [idParam],
      get: { summary: 'A delivery with its attempts', responses: { 200: ok('The delivery', deliveryWithAttemptsSchema), ...errors } },
    },
    '/v1/deliveries/{id}/cancel': {
      parameters: [idParam],
      post: {
        summary: 'Cancel a delivery that has not ended (sending, between retries or awaiting confirmation)',
        responses: { 202: ok('Cancelling', deliverySchema), ...conflict },
      },
    },
    '/v1/deliveries/{id}/retry': {
      parameters: [idParam],
      post: {
        summary: 'Run a delivery that has not succeeded again (409 while its workflow runs): same webhook-id, attempt numbers continuing',
        responses: { 202: ok('Started', deliverySchema), ...conflict },
      },
    },
    '/v1/deliveries/retry': {
      post: {
        summary: 'Retry the failed (or cancelled) deliveries matching a filter, at most `limit`, as a job that answers at once',
        requestBody: body(bulkRetrySchema),
        responses: { 202: ok('The bulk retry job, started', bulkRetryJobSchema), ...errors },
      },
    },
    '/v1/retries/{id}': {
      parameters: [idParam],
      get: { summary: "A bulk retry's progress", responses: { 200: ok('The bulk retry', bulkRetryJobSchema), ...errors } },
    },
    '/v1/retries/{id}/cancel': {
      parameters: [idParam],
      post: { summary: 'Stop a bulk retry: it starts no more deliveries', responses: { 202: ok('Cancelling', bulkRetryJobSchema), ...conflict } },
    },
  };
}

/** Routes without the API token. */
function openPaths() {
  return {
    '/v1/confirmations/{token}': {
      parameters: [pathParam('token')],
      post: {
        summary: 'Confirm a webhook (the webhook-confirm-url a receiver got); needs no API token',
        security: [],
        responses: { 200: { description: 'Confirmed' }, 400: problem, 403: problem, 409: problem, 410: problem },
      },
    },
    '/healthz': {
      get: {
        summary: 'Liveness of Temporal and the ledger',
        security: [],
        responses: { 200: { description: 'Both answer' }, 503: problem },
      },
    },
  };
}

export function buildOpenApiDocument() {
  return {
    openapi: '3.0.3',
    info: {
      title: 'webhook-relay',
      version: '1.0.0',
      description: 'Durable webhook delivery on Temporal. Every /v1 route needs `Authorization: Bearer <API_TOKEN>`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: { ...subscriptionPaths(), ...eventPaths(), ...deliveryPaths(), ...openPaths() },
  };
}
