import { MIMEType } from 'node:util';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import type { z } from 'zod';
import { type FieldError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../model/errors';

/** How large a request body may be (after decompression), and how the 413 problem names it. */
export interface BodyLimit {
  bytes: number;
  label: string;
}

/** The largest request body read, unless its route has its own; larger ones get 413 before they are parsed. */
export const BODY_LIMIT: BodyLimit = { bytes: 256 * 1024, label: '256 KiB' };

/** A route whose body may be larger (or must be smaller) than BODY_LIMIT; its path as the route declares it. */
interface RouteBodyLimit {
  method: string;
  path: string;
  bodyLimit?: BodyLimit;
}

/** A hostile body can fail on thousands of fields; the first ones say enough. */
const MAX_FIELD_ERRORS = 20;
/** Field names come from the client (unknown keys): a 200 KB key is cut short. */
const MAX_FIELD_NAME = 200;

type Path = readonly PropertyKey[];

/** The value at `path`, or undefined where the input has nothing (own properties only). */
function valueAt(input: unknown, path: Path): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fieldName(path: Path, key?: string): string {
  const name = [...path, ...(key === undefined ? [] : [key])].map(String).join('.');
  return name.length > MAX_FIELD_NAME ? `${name.slice(0, MAX_FIELD_NAME)}…` : name;
}

function issueFields(issue: z.core.$ZodIssue, input: unknown, where: FieldError['in']): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ in: where, field: fieldName(issue.path, key), message: 'is not a known field' }));
  }
  // zod does not report the input it saw, so "missing" is read from the input itself.
  const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  return [{ in: where, field: fieldName(issue.path), message: missing ? 'is required' : issue.message }];
}

/** Query keys given more than once: the simple query parser turns them into arrays no schema here expects. */
function repeatedQueryKeys(query: unknown): string[] {
  if (query === null || typeof query !== 'object') return [];
  return Object.entries(query).flatMap(([key, value]) => (Array.isArray(value) ? [key] : []));
}

function withoutKeys(input: unknown, keys: string[]): unknown {
  if (keys.length === 0) return input;
  return Object.fromEntries(Object.entries(input as object).filter(([key]) => !keys.includes(key)));
}

/**
 * Parses `value` with `schema` or throws a ValidationError naming each failing field. A request
 * without a body is read as `{}`, like an empty one.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: FieldError['in']): z.infer<T> {
  const repeated = where === 'query' ? repeatedQueryKeys(value) : [];
  const input = withoutKeys(value ?? {}, repeated);
  const result = schema.safeParse(input);
  if (result.success && repeated.length === 0) return result.data;
  const fields: FieldError[] = [
    ...repeated.map((key): FieldError => ({ in: where, field: fieldName([], key), message: 'must be given once' })),
    ...(result.error?.issues.flatMap((issue) => issueFields(issue, input, where)) ?? []),
  ];
  throw new ValidationError(fields.slice(0, MAX_FIELD_ERRORS));
}

/** A request without a body (no content-length, or 0, and no chunks) needs no content-type. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** What is wrong with a body's content-type, if anything: JSON (application/json or +json) in UTF-8 only. */
function contentTypeProblem(header: string | undefined): string | undefined {
  if (!header) return 'is required with a body: application/json';
  let mime: MIMEType;
  try {
    mime = new MIMEType(header);
  } catch {
    return 'is not a valid media type';
  }
  if (mime.essence !== 'application/json' && !mime.subtype.endsWith('+json')) return 'must be application/json (or a +json type)';
  const charset = mime.params.get('charset');
  if (charset !== null && charset.toLowerCase() !== 'utf-8') return 'must have charset utf-8 (JSON is UTF-8)';
  return undefined;
}

/** body-parser with `limit`; a body over it is a 413 problem naming that limit (body-parser's error knows only bytes). */
export function jsonParser(limit: BodyLimit, type: string | ((req: IncomingMessage) => boolean) = hasBody): RequestHandler {
  const parse = express.json({ limit: limit.bytes, type });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      const tooLarge = (err as { type?: unknown } | undefined)?.type === 'entity.too.large';
      next(tooLarge ? new PayloadTooLargeError(limit.label) : err);
    });
}

/**
 * Reads JSON bodies: 415 for any other media type or charset before a byte is read, then
 * body-parser (size limit, content-encoding, syntax; its errors become problems in problem.ts),
 * with BODY_LIMIT or the `bodyLimit` of the route the request is for.
 */
export function jsonBody(routes: RouteBodyLimit[] = []): RequestHandler[] {
  const checkMediaType: RequestHandler = (req, _res, next) => {
    const problem = hasBody(req) ? contentTypeProblem(req.headers['content-type']) : undefined;
    next(problem === undefined ? undefined : new UnsupportedMediaTypeError('content-type', problem));
  };
  const standard = jsonParser(BODY_LIMIT);
  const own = routes.flatMap((r) => (r.bodyLimit ? [{ method: r.method.toUpperCase(), route: routeSegments(r.path), parse: jsonParser(r.bodyLimit) }] : []));
  const parseBody: RequestHandler = (req, res, next) => {
    // The path as express routes it, as validatePathParams reads it.
    const segments = `${req.baseUrl}${req.path}`.split('/').filter(Boolean);
    const parse = own.find((r) => r.method === req.method && matches(r.route, segments))?.parse ?? standard;
    parse(req, res, next);
  };
  return [checkMediaType, parseBody];
}

type RouteSegment = { literal: string } | { param: string };

function routeSegments(template: string): RouteSegment[] {
  return template
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      return param ? { param } : { literal: segment.toLowerCase() };
    });
}

/** Express matches routes case-insensitively and ignores a trailing slash; so does this. */
function matches(route: RouteSegment[], segments: string[]): boolean {
  return route.length === segments.length && route.every((s, i) => !('literal' in s) || s.literal === segments[i]!.toLowerCase());
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function paramErrors(route: RouteSegment[], segments: string[], schemas: Record<string, z.ZodType>): FieldError[] {
  return route.flatMap((s, i): FieldError[] => {
    if (!('param' in s)) return [];
    const value = decoded(segments[i]!);
    if (value === undefined) return [{ in: 'path', field: s.param, message: 'is not valid percent-encoding' }];
    const result = schemas[s.param]!.safeParse(value);
    return result.success ? [] : [{ in: 'path', field: s.param, message: result.error.issues[0]!.message }];
  });
}

/**
 * Checks the path parameters of the request's route (`/v1/deliveries/{id}`…) before any route
 * reads them: percent-encoding that does not decode (`%ZZ`, `%C0%AE`) and values outside the
 * parameter's schema are 400s naming the parameter, instead of reaching the ledger or Temporal.
 */
export function validatePathParams(templates: string[], schemas: Record<string, z.ZodType>): RequestHandler {
  const routes = templates.map(routeSegments).filter((route) => route.some((s) => 'param' in s));
  for (const s of routes.flat()) if ('param' in s && !schemas[s.param]) throw new Error(`no schema for the path parameter ${s.param}`);
  return (req, _res, next) => {
    // The path as express routes it (also for an absolute-form target, `GET http://host/v1/…`).
    const segments = `${req.baseUrl}${req.path}`.split('/').filter(Boolean);
    const errors = routes.filter((route) => matches(route, segments)).flatMap((route) => paramErrors(route, segments, schemas));
    const unique = errors.filter((e, i) => errors.findIndex((other) => other.field === e.field) === i);
    next(unique.length > 0 ? new ValidationError(unique) : undefined);
  };
}
