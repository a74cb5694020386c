import type { ClientInterceptors } from '@temporalio/client';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import type { Tracing } from './sdk';
import { type TracedService, tracingSettings } from './settings';
import type { WorkerTracingOptions } from './worker-options';

export type { Tracing } from './sdk';
export type { TracedService } from './settings';
export type { WorkerTracingOptions } from './worker-options';

/**
 * The OpenTelemetry SDK, the instrumentations and Temporal's interceptors take about a second to
 * load: they are required only once tracing is on, so a process without it never loads them.
 */
function load<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}

/** Starts tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise does nothing and returns undefined. */
export function startServiceTracing(
  config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>,
  service: TracedService,
  logger: Logger,
): Tracing | undefined {
  const settings = tracingSettings(config, service);
  if (!settings) return undefined;
  const { startTracing } = load<typeof import('./sdk')>('./sdk');
  const { instrumentationsFor } = load<typeof import('./instrumentations')>('./instrumentations');
  const tracing = startTracing(settings, instrumentationsFor(service), logger);
  logger.info({ traces: settings.tracesUrl, serviceName: settings.serviceName }, 'tracing on');
  return tracing;
}

/** The worker's interceptors and workflow span sink (worker-options.ts); nothing when tracing is off. */
export function workerTracingOptions(tracing: Tracing | undefined): WorkerTracingOptions {
  if (!tracing) return {};
  return load<typeof import('./worker-options')>('./worker-options').workerTracingOptions(tracing);
}

/**
 * The gateway client's interceptors: each workflow start (or signal) gets a span, a child of the
 * HTTP request's, whose context travels to the workflow in its headers. None when tracing is off.
 */
export function clientTracingInterceptors(tracingOn: boolean): ClientInterceptors {
  if (!tracingOn) return {};
  const otel = load<typeof import('@temporalio/interceptors-opentelemetry')>('@temporalio/interceptors-opentelemetry');
  return { workflow: [new otel.OpenTelemetryWorkflowClientInterceptor()] };
}
