import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { EventSchemas } from '../catalog/event-schemas';
import type { EventDispatcher } from '../operations/event-dispatcher';
import type { Logger } from '../core/logger';
import type { GatewayMetrics } from '../metrics';
import type { ServiceDeps } from '../operations/deps';
import type { Ledger } from '../store/ledger';
import type { BodyLimit } from './validate';

/** What route handlers work with. */
export interface GatewayContext extends ServiceDeps {
  ledger: Ledger;
  client: Client;
  logger: Logger;
  /** ALLOW_PRIVATE_NETWORKS: receivers may be on loopback, private and other non-public hosts. */
  allowPrivateNetworks: boolean;
  /** Signs and checks the confirmation URLs handed to receivers. */
  confirmationKey: Buffer;
  /** Where the gateway is reached from outside (PUBLIC_URL): portal links point there. */
  publicUrl: string;
  /** SECRET_ROTATION_GRACE: how long a rotated-out secret keeps signing, unless a rotation says otherwise. */
  secretRotationGraceMs: number;
  /** Where intake is counted (Prometheus); absent when metrics are off. */
  metrics?: GatewayMetrics;
  /** Starts accepted events' workflows after their 202. */
  dispatcher: EventDispatcher;
  /** The catalog's schemas, compiled and cached, that intake checks events' data with. */
  eventSchemas: EventSchemas;
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A route's answer: its status, a JSON body (none for 204), a Location and other headers. */
export interface Reply {
  status: number;
  body?: unknown;
  location?: string;
  headers?: Record<string, string>;
}

/** The tenant a request is confined to (a tenant key's or portal session's); none for the operator. */
export interface Scope {
  tenantId?: string;
}

/** The names in a path's braces: `/v1/subscriptions/{id}/replays` has `id`. */
type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParamNames<Rest> : never;

/** A route's path parameters, typed from its path: each one is there (the router checked it). */
export type PathParams<P extends string> = { [Name in PathParamNames<P>]: string };

export interface RouteInput<B extends z.ZodType, Q extends z.ZodType, P extends string = string> {
  params: PathParams<P>;
  scope: Scope;
  body: z.infer<B>;
  query: z.infer<Q>;
  header(name: string): string | undefined;
}

/**
 * One route, declared once: the express router and the OpenAPI document are both made from it
 * (router.ts, openapi.ts). Path parameters are written `{id}` and checked before the handler runs.
 */
export interface Route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends string = string> {
  method: Method;
  path: P;
  summary: string;
  /** Served without the API token (the confirmation URL, the health check). */
  public?: boolean;
  /**
   * `tenant`: tenant keys and portal sessions may call it too, confined to their tenant (a
   * resource of another tenant is 404). Otherwise only the operator token may (403 for a tenant).
   */
  access?: 'tenant';
  body?: B;
  /** A body limit other than BODY_LIMIT (validate.ts), for this route only. */
  bodyLimit?: BodyLimit;
  query?: Q;
  /** Request headers the route reads, documented with their schema. */
  headers?: { name: string; schema: z.ZodType; description: string }[];
  /** Successful answers: status → description and body schema. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Problem statuses the route may answer besides 400 (invalid input), 401 and 415. */
  problems: number[];
  handle(input: RouteInput<B, Q, P>, context: GatewayContext): Promise<Reply>;
}

/** Declares a route, inferring its body and query types from their schemas and its parameters from its path. */
export function route<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, P extends string = string>(spec: Route<B, Q, P>): Route {
  return spec as Route;
}

type IdPath = `${string}{id}${string}`;

/** A route that runs one operation on the resource its `{id}` names and answers with the result. */
export function idRoute(spec: {
  method: Method;
  path: IdPath;
  summary: string;
  status: number;
  description: string;
  schema?: z.ZodType;
  problems: number[];
  access?: 'tenant';
  run(id: string, context: GatewayContext, scope: Scope): Promise<unknown>;
}): Route {
  return route<z.ZodUnknown, z.ZodUnknown, IdPath>({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    access: spec.access,
    responses: { [spec.status]: { description: spec.description, schema: spec.schema } },
    problems: spec.problems,
    async handle({ params, scope }, context) {
      return { status: spec.status, body: await spec.run(params.id, context, scope) };
    },
  });
}
