import type { Config } from '../config';
import type { Logger } from '../logger';
import { instrumentationsFor } from './instrumentations';
import { startTracing, type Tracing } from './sdk';
import { type TracedService, tracingSettings } from './settings';

export type { Tracing } from './sdk';
export type { TracedService } from './settings';

/** Starts tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise does nothing and returns undefined. */
export function startServiceTracing(
  config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>,
  service: TracedService,
  logger: Logger,
): Tracing | undefined {
  const settings = tracingSettings(config, service);
  if (!settings) return undefined;
  const tracing = startTracing(settings, instrumentationsFor(service), logger);
  logger.info({ traces: settings.tracesUrl, serviceName: settings.serviceName }, 'tracing on');
  return tracing;
}
