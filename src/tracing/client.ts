import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';

/**
 * The gateway client's interceptors: each workflow start (or signal) gets a span, a child of the
 * HTTP request's, whose context travels to the workflow in its headers. None when tracing is off.
 */
export function clientTracingInterceptors(tracingOn: boolean): ClientInterceptors {
  return tracingOn ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}
