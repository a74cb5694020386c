import type { Config } from '../core/config';

/** The processes that trace: each starts its own SDK (a tracer provider is per process). */
export type TracedService = 'gateway' | 'worker';

export interface TracingSettings {
  /** Where spans are POSTed (OTLP/HTTP, JSON). */
  tracesUrl: string;
  serviceName: string;
}

/**
 * Tracing's settings for one process, or undefined when OTEL_EXPORTER_OTLP_ENDPOINT is unset: then
 * nothing is started, registered or added to the worker. Without OTEL_SERVICE_NAME each process is
 * named apart (webhook-relay-gateway, webhook-relay-worker), so a trace shows which one did what.
 */
export function tracingSettings(
  config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>,
  service: TracedService,
): TracingSettings | undefined {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === undefined) return undefined;
  // The base endpoint's rule in the OTLP spec: each signal goes to <endpoint>/v1/<signal>.
  return {
    tracesUrl: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
    serviceName: config.OTEL_SERVICE_NAME ?? `webhook-relay-${service}`,
  };
}
