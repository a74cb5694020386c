import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { Logger } from '../logger';
import type { ServiceDeps } from '../service-deps';
import type { Ledger } from '../store/ledger';

/** What route handlers work with. */
export interface GatewayContext extends ServiceDeps {
  ledger: Ledger;
  client: Client;
  logger: Logger;
  /** ALLOW_PRIVATE_NETWORKS: receivers may be on loopback, private and other non-public hosts. */
  allowPrivateNetworks: boolean;
  /** Signs and checks the confirmation URLs handed to receivers. */
  confirmationKey: Buffer;
  /** SECRET_ROTATION_GRACE: how long a rotated-out secret keeps signing, unless a rotation says otherwise. */
  secretRotationGraceMs: number;
}

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** A route's answer: its status, a JSON body (none for 204) and a Location. */
export interface Reply {
  status: number;
  body?: unknown;
  location?: string;
}

export interface RouteInput<B extends z.ZodType, Q extends z.ZodType> {
  params: Record<string, string>;
  body: z.infer<B>;
  query: z.infer<Q>;
  header(name: string): string | undefined;
}

/**
 * One route, declared once: the express router and the OpenAPI document are both made from it
 * (router.ts, openapi.ts). Path parameters are written `{id}` and checked before the handler runs.
 */
export interface Route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  /** Served without the API token (the confirmation URL, the health check). */
  public?: boolean;
  body?: B;
  query?: Q;
  /** Request headers the route reads, documented with their schema. */
  headers?: { name: string; schema: z.ZodType; description: string }[];
  /** Successful answers: status → description and body schema. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Problem statuses the route may answer besides 400 (invalid input), 401 and 415. */
  problems: number[];
  handle(input: RouteInput<B, Q>, context: GatewayContext): Promise<Reply>;
}

/** Declares a route, inferring its body and query types from their schemas. */
export function route<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown>(spec: Route<B, Q>): Route {
  return spec as Route;
}

/** A route that runs one operation on the resource its `{id}` names and answers with the result. */
export function idRoute(spec: {
  method: Method;
  path: string;
  summary: string;
  status: number;
  description: string;
  schema?: z.ZodType;
  problems: number[];
  run(id: string, context: GatewayContext): Promise<unknown>;
}): Route {
  return route({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    responses: { [spec.status]: { description: spec.description, schema: spec.schema } },
    problems: spec.problems,
    async handle({ params }, context) {
      return { status: spec.status, body: await spec.run(params.id!, context) };
    },
  });
}
