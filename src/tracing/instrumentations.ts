import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { TracedService } from './settings';

/** Probes and scrapes: polled all day, never part of an event's story. */
const UNTRACED_PATHS = ['/healthz', '/metrics'];

const isProbe = (req: IncomingMessage) => UNTRACED_PATHS.some((p) => req.url === p || req.url?.startsWith(`${p}?`));

/**
 * Names the server span by the route express matched (`POST /v1/events`, `GET /v1/deliveries/:id`)
 * instead of the bare method. Express 5 leaves the matched route on the request; the express
 * instrumentation of the OpenTelemetry 1.x line stops at express 4, so it is not used.
 */
function nameByRoute(span: Span, req: object): void {
  const { route, baseUrl, method } = req as { route?: { path?: unknown }; baseUrl?: unknown; method?: unknown };
  if (typeof route?.path !== 'string') return;
  const path = `${typeof baseUrl === 'string' ? baseUrl : ''}${route.path}`;
  span.setAttribute(ATTR_HTTP_ROUTE, path);
  span.updateName(`${typeof method === 'string' ? method : 'GET'} ${path}`);
}

/**
 * What each process instruments. The gateway: its HTTP server (a request's span is the root of the
 * event's trace); its only outgoing calls are Temporal's gRPC, traced by Temporal's interceptors.
 * The worker: undici, the client every webhook is sent with (child of the attempt's activity span,
 * and it sends `traceparent` to the receiver).
 */
export function instrumentationsFor(service: TracedService): Instrumentation[] {
  if (service === 'worker') return [new UndiciInstrumentation()];
  return [
    new HttpInstrumentation({
      disableOutgoingRequestInstrumentation: true,
      ignoreIncomingRequestHook: isProbe,
      applyCustomAttributesOnSpan: nameByRoute,
    }),
  ];
}
