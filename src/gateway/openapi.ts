import { z } from 'zod';
import { confirmationTokenSchema, resourceIdSchema } from '../model';
import type { Route } from './route';
import { ROUTES } from './routes';

/** The OpenAPI document, generated from the route table and the zod schemas the gateway validates with. */

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

/** What each path parameter may hold; the gateway checks these before any route runs (validatePathParams). */
export const PATH_PARAMETER_SCHEMAS = { id: resourceIdSchema, keyId: resourceIdSchema, token: confirmationTokenSchema } satisfies Record<string, Schema>;
const pathParam = (name: keyof typeof PATH_PARAMETER_SCHEMAS) => ({
  name,
  in: 'path',
  required: true,
  schema: json(PATH_PARAMETER_SCHEMAS[name], 'input'),
});

/** Query parameters from a zod object, one OpenAPI parameter per key. */
function queryParams(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: json(field as Schema, 'input'),
  }));
}

/** OpenAPI parameters of a route: its path parameters, query parameters and headers. */
function parametersOf(route: Route) {
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => pathParam(m[1] as keyof typeof PATH_PARAMETER_SCHEMAS));
  const query = route.query instanceof z.ZodObject ? queryParams(route.query) : [];
  const headers = (route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, schema: json(h.schema, 'input'), description: h.description }));
  return [...pathParams, ...query, ...headers];
}

/** One operation of the document, from its route. */
function operationOf(route: Route) {
  const parameters = parametersOf(route);
  const answers = Object.entries(route.responses).map(([status, r]) => [status, r.schema ? ok(r.description, r.schema) : { description: r.description }]);
  const problems = [400, ...(route.public ? [] : [401, 413, 415]), ...route.problems].map((status) => [String(status), problem]);
  return {
    summary: route.summary,
    ...(route.public && { security: [] }),
    ...(parameters.length > 0 && { parameters }),
    ...(route.body && { requestBody: body(route.body) }),
    responses: Object.fromEntries([...answers, ...problems]),
  };
}

/** The OpenAPI document of the gateway, made from the same route table as its router. */
export function buildOpenApiDocument(routes: Route[] = ROUTES) {
  const paths: Record<string, Record<string, ReturnType<typeof operationOf>>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operationOf(route);
  return {
    openapi: '3.0.3',
    info: {
      title: 'webhook-relay',
      version: '1.0.0',
      description: 'Durable webhook delivery on Temporal. Every /v1 route needs `Authorization: Bearer <API_TOKEN>`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
