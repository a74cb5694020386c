import { diag, type DiagLogger, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../core/logger';
import { ScrubbingSpanProcessor } from './scrub';
import type { TracingSettings } from './settings';

/** A process's running tracing. */
export interface Tracing {
  resource: Resource;
  /** Every span goes through it, the workflows' too (by the worker's sink): scrubbed, batched, exported. */
  spanProcessor: SpanProcessor;
  /** Exports what is buffered and stops; a clean shutdown calls it last. */
  shutdown(): Promise<void>;
}

/** The SDK's own complaints (a collector that cannot be reached) as warnings in our JSON lines. */
function diagLogger(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'opentelemetry' });
  const at = (level: 'warn' | 'debug') => (message: string, ...args: unknown[]) => log[level]({ args }, message);
  return { error: at('warn'), warn: at('warn'), info: at('debug'), debug: at('debug'), verbose: at('debug') };
}

/**
 * Starts OpenTelemetry for this process: the global tracer provider (AsyncLocalStorage context,
 * W3C trace-context propagation), spans scrubbed and batched to OTLP/HTTP, and the given
 * instrumentations. Called only when tracing is on; the SDK's own OTEL_* variables (a sampler, batch
 * sizes) still apply.
 */
export function startTracing(settings: TracingSettings, instrumentations: Instrumentation[], logger: Logger): Tracing {
  diag.setLogger(diagLogger(logger), DiagLogLevel.WARN);
  const resource = Resource.default().merge(new Resource({ [ATTR_SERVICE_NAME]: settings.serviceName }));
  const spanProcessor = new ScrubbingSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesUrl })));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  return {
    resource,
    spanProcessor,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}
