import { z } from 'zod';
import { buildOpenApiDocument } from '../../src/gateway/openapi';
import type { Route } from '../../src/gateway/route';
import { ROUTES } from '../../src/gateway/routes';
import { type Problem, problemSchema } from '../../src/model';

/**
 * Every answer a test gets from the gateway is held to its route's declaration: a success status
 * the route declares, a body its zod response schema accepts with no field the schema lacks (the
 * OpenAPI document promises `additionalProperties: false`), and an error as a problem document
 * with a status the document lists for the operation. So each API test checks the OpenAPI shapes
 * on the way, and a mismatch fails it naming the route, the status and the field.
 */

/** A route's path as express matches it: `{id}` is one segment, a trailing slash is allowed, any case. */
const MATCHERS = ROUTES.map((route) => ({
  route,
  regex: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i'),
}));

/** The route express would run for a request (the table's order is the router's), if any. */
export function routeFor(method: string, pathname: string): Route | undefined {
  return MATCHERS.find((m) => m.route.method === method.toLowerCase() && m.regex.test(pathname))?.route;
}

let documented: Map<string, Set<string>> | undefined;

/** The statuses the OpenAPI document lists for an operation, e.g. "get /v1/events/{id}" → 200, 400, 401 … */
function documentedStatuses(route: Route): Set<string> {
  documented ??= new Map(
    Object.entries(buildOpenApiDocument().paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => [`${method} ${path}`, new Set(Object.keys(op.responses))] as const),
    ),
  );
  return documented.get(`${route.method} ${route.path}`) ?? new Set();
}

/** Keys of `raw` that parsing dropped: fields the answer has and its schema does not declare. */
function strayKeys(raw: unknown, parsed: unknown, at: string): string[] {
  const where = (key: string | number) => (at === '' ? String(key) : `${at}.${key}`);
  if (Array.isArray(raw) && Array.isArray(parsed)) return raw.flatMap((item, i) => strayKeys(item, parsed[i], where(i)));
  if (typeof raw !== 'object' || raw === null || typeof parsed !== 'object' || parsed === null) return [];
  const kept = parsed as Record<string, unknown>;
  return Object.entries(raw).flatMap(([key, value]) => (key in kept ? strayKeys(value, kept[key], where(key)) : [where(key)]));
}

/** Why a body fails a schema, or undefined when it matches (stray fields included). */
function mismatch(schema: z.ZodType, body: unknown): string | undefined {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return z.prettifyError(parsed.error);
  const stray = strayKeys(body, parsed.data, '');
  return stray.length > 0 ? `fields the schema does not declare: ${stray.join(', ')}` : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** What is wrong with an answer of a route, or undefined when it is what the route declares. */
function answerProblem(route: Route, status: number, contentType: string, text: string): string | undefined {
  if (status >= 400) {
    if (!documentedStatuses(route).has(String(status))) return `a ${status}, which the OpenAPI document does not list for it`;
    if (!contentType.startsWith('application/problem+json')) return `a ${status} as ${contentType || 'no content type'}, not application/problem+json`;
    const body = parseJson(text);
    if (!body.ok) return `a ${status} whose body is not JSON`;
    const wrong = mismatch(problemSchema, body.value);
    return wrong ?? ((body.value as { status: number }).status === status ? undefined : `a problem whose status is not ${status}`);
  }
  const declared = route.responses[status];
  if (!declared) return `a ${status}, which the route does not declare (it declares ${Object.keys(route.responses).join(', ')})`;
  if (!declared.schema) return undefined;
  if (!contentType.startsWith('application/json')) return `a ${status} as ${contentType || 'no content type'}, not application/json`;
  const body = parseJson(text);
  if (!body.ok) return `a ${status} whose body is not JSON`;
  const wrong = mismatch(declared.schema, body.value);
  return wrong && `a ${status} whose body does not match the declared schema:\n${wrong}`;
}

/**
 * Throws when an answer is not what its route declares; answers of no route (a hostile path, a
 * HEAD) pass unchecked. `text` is the body as received.
 */
export function checkAnswer(method: string, url: string, response: Response, text: string): void {
  if (method.toUpperCase() === 'HEAD') return;
  const { pathname } = new URL(url);
  const route = routeFor(method, pathname);
  if (!route) return;
  const problem = answerProblem(route, response.status, response.headers.get('content-type') ?? '', text);
  if (problem) throw new Error(`${method.toUpperCase()} ${pathname} (${route.method.toUpperCase()} ${route.path}) answered ${problem}\nbody: ${text.slice(0, 2000)}`);
}

/** fetch, with each answer held to its route's declaration (for the typed client: openapi-fetch hands it a Request). */
export async function checkedFetch(request: Request): Promise<Response> {
  const response = await fetch(request);
  checkAnswer(request.method, request.url, response, await response.clone().text());
  return response;
}

export type { Problem };

/** The problem of an answer (stack.api's), typed: for tests that send what the gateway must refuse. */
export function problemOf(answer: { body: unknown }): Problem {
  const parsed = problemSchema.safeParse(answer.body);
  if (!parsed.success) throw new Error(`not a problem: ${JSON.stringify(answer.body).slice(0, 500)}\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
