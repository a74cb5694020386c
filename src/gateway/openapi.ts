import { z } from 'zod';
import {
  createdSubscriptionSchema,
  createEventSchema,
  createSubscriptionSchema,
  deliveryFilterSchema,
  deliverySchema,
  deliveryWithAttemptsSchema,
  eventSchema,
  eventWithDeliveriesSchema,
  pageQuerySchema,
  pageSchema,
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
const errors = { 400: problem, 401: problem, 404: problem, 413: problem };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** Query parameters from a zod object, one OpenAPI parameter per key. */
function queryParams(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: json(field as Schema, 'input'),
  }));
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
    paths: {
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
      '/v1/events': {
        post: {
          summary: 'Send an event to every matching subscription',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string' },
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
      '/healthz': {
        get: {
          summary: 'Liveness of Temporal and the ledger',
          security: [],
          responses: { 200: { description: 'Both answer' }, 503: problem },
        },
      },
    },
  };
}
