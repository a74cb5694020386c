import type { WorkerOptions } from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from './sdk';

/** What tracing adds to Worker.create: interceptors and the workflow spans' sink. */
export type WorkerTracingOptions = Pick<WorkerOptions, 'interceptors' | 'sinks'>;

/**
 * The interceptor package's workflow entry, bundled into the workflow code only when tracing is on.
 * It is deterministic: its spans take workflow time and leave the isolate through a sink, which is
 * not called during replay, and it adds headers to commands, never commands.
 */
export const WORKFLOW_INTERCEPTORS_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/**
 * The worker's part of a trace (loaded and called only when tracing is on). Workflows continue the
 * trace from the headers their starter sent (RunWorkflow, then StartActivity and StartChildWorkflow
 * spans); activities continue it from the activity's headers (RunActivity), and the client that
 * activities use passes it on to the workflows they signal or start.
 */
export function workerTracingOptions(tracing: Tracing): WorkerTracingOptions {
  return {
    interceptors: {
      workflowModules: [WORKFLOW_INTERCEPTORS_MODULE],
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
