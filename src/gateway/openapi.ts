import { z } from 'zod';
import { confirmationTokenSchema, eventTypeSchema, problemSchema, resourceIdSchema } from '../model';
import { CSRF_HEADER, SESSION_COOKIE } from './auth';
import type { Route } from './route';
import { ROUTES } from './routes';

/** The OpenAPI document, generated from the route table and the zod schemas the gateway validates with. */

type Schema = z.ZodType;
const json = (schema: Schema, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, target: 'openapi-3.0', unrepresentable: 'any' });

/** Every problem answer, declared once in components and referred to by each status that may carry it. */
const PROBLEM_RESPONSE = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: json(problemSchema, 'output') } },
};

const ok = (description: string, schema: Schema) => ({
  description,
  content: { 'application/json': { schema: json(schema, 'output') } },
});
const body = (schema: Schema) => ({ required: true, content: { 'application/json': { schema: json(schema, 'input') } } });

/** What each path parameter may hold; the gateway checks these before any route runs (validatePathParams). */
export const PATH_PARAMETER_SCHEMAS = { id: resourceIdSchema, keyId: resourceIdSchema, token: confirmationTokenSchema, type: eventTypeSchema } satisfies Record<string, Schema>;
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

/**
 * Who may call a route: nobody needs a credential for a public one; the operator token reaches
 * every other; tenant keys and portal sessions reach those open to tenants.
 */
function securityOf(route: Route) {
  if (route.public) return [];
  if (route.access !== 'tenant') return [{ operatorToken: [] }];
  return [{ operatorToken: [] }, { tenantKey: [] }, { portalSession: [], portalCsrf: [] }];
}

const SECURITY_SCHEMES = {
  operatorToken: {
    type: 'http',
    scheme: 'bearer',
    description: "The operator's API_TOKEN: every route, every tenant.",
  },
  tenantKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'whk_…',
    description:
      "A tenant key (POST /v1/tenants/{id}/keys): only the routes tagged `tenant`, confined to that tenant's subscriptions and deliveries. Another tenant's resource answers 404; an operator route 403.",
  },
  portalSession: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The consumer portal\'s session, opened by a single-use link (POST /v1/tenants/{id}/portal-sessions); the same scope as a tenant key.',
  },
  portalCsrf: {
    type: 'apiKey',
    in: 'header',
    name: CSRF_HEADER,
    description: "With a portal session, every write also sends the session's CSRF token in this header.",
  },
};

/** One operation of the document, from its route. */
function operationOf(route: Route) {
  const parameters = parametersOf(route);
  const answers = Object.entries(route.responses).map(([status, r]) => [status, r.schema ? ok(r.description, r.schema) : { description: r.description }]);
  // A tenant's caller may be over its tenant's limits on any route (429, Retry-After).
  const quota = route.access === 'tenant' ? [429] : [];
  const problems = [400, ...(route.public ? [] : [401, 413, 415]), ...(route.public || route.access === 'tenant' ? [] : [403]), ...quota, ...route.problems].map((status) => [String(status), { $ref: '#/components/responses/Problem' }]);
  return {
    summary: route.summary,
    security: securityOf(route),
    ...(route.access === 'tenant' && { tags: ['tenant'] }),
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
      description:
        'Durable webhook delivery on Temporal. /v1 routes take the operator token (`Authorization: Bearer <API_TOKEN>`); those tagged `tenant` also take a tenant key or a portal session, confined to that tenant.',
    },
    tags: [{ name: 'tenant', description: 'Open to tenant keys and portal sessions, confined to their tenant.' }],
    components: { securitySchemes: SECURITY_SCHEMES, responses: { Problem: PROBLEM_RESPONSE } },
    security: [{ operatorToken: [] }],
    paths,
  };
}
