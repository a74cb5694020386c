import type { Response, Router } from 'express';
import { ForbiddenError } from '../model/errors';
import { principalOf } from './auth';
import type { GatewayContext, Route, Scope } from './route';
import { parseInput } from './validate';

/** The caller's scope on this route: none for the operator, its tenant for a tenant, refused if the route is the operator's. */
function scopeOf(spec: Route, res: Response): Scope {
  if (spec.public) return {};
  const principal = principalOf(res);
  if (principal.kind === 'operator') return {};
  if (spec.access !== 'tenant') throw new ForbiddenError('This route needs the operator token; a tenant key or portal session cannot use it.');
  return { tenantId: principal.tenantId };
}

/** `/v1/deliveries/{id}/retry` as express writes it: `/v1/deliveries/:id/retry`. */
export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Serves each route of the table: validates its query and body, runs it, sends its reply. */
export function mountRoutes(router: Router, routes: Route[], context: GatewayContext): void {
  for (const spec of routes) {
    router[spec.method](expressPath(spec.path), async (req, res) => {
      const reply = await spec.handle(
        {
          params: req.params as Record<string, string>,
          scope: scopeOf(spec, res),
          body: spec.body ? parseInput(spec.body, req.body, 'body') : undefined,
          query: spec.query ? parseInput(spec.query, req.query, 'query') : undefined,
          header: (name) => req.get(name),
        },
        context,
      );
      if (reply.location) res.location(reply.location);
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.set(name, value);
      res.status(reply.status);
      if (reply.body === undefined) res.end();
      else res.json(reply.body);
    });
  }
}
