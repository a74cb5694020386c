import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { type Config, publicUrl } from '../core/config';
import { confirmationKey } from '../security/confirmation-token';
import { EventDispatcher } from '../operations/event-dispatcher';
import { createEgressDispatcher, type WebhookDispatcherOptions } from '../http/webhook-dispatcher';
import type { ServiceDeps } from '../operations/deps';
import type { Logger } from '../core/logger';
import type { WorkerMetrics } from '../metrics';
import type { Ledger } from '../store/ledger';
import { syncFairnessWeights } from '../temporal/fairness-weights';
import { ensurePurgeSchedule, ensureReconcileSchedule } from '../temporal/job-schedules';
import { type Tracing, workerTracingOptions } from '../tracing';

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  ledger: Ledger;
  logger: Logger;
  fanOutPageSize?: number;
  fanOutShardSize?: number;
  /** Delivery metrics (Prometheus); none in tests that don't ask. */
  metrics?: WorkerMetrics;
  /** Running tracing (OTEL_EXPORTER_OTLP_ENDPOINT set): adds its interceptors and workflow span sink. */
  tracing?: Tracing;
  /** Tests only: a resolver, or a narrower set of allowed addresses, for the receivers' address check. */
  addressCheck?: Pick<WebhookDispatcherOptions, 'resolve' | 'isAllowedAddress'>;
  /**
   * Tests only: the workflows bundled once for a whole test run, instead of by each worker. Not
   * with tracing, whose workflow interceptors must be bundled in.
   */
  workflowBundle?: { codePath: string };
}

/** Where the worker's workflow code comes from: the bundle made for the run, or workflows/ bundled now. */
function workflowSource(deps: WorkerDeps): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  if (deps.workflowBundle && !deps.tracing) return { workflowBundle: deps.workflowBundle };
  return { workflowsPath: require.resolve('../../workflows') };
}

/**
 * A worker that runs the event and delivery workflows and their activities. Creating one also
 * makes sure the reconciler's and the purge's schedules exist (idempotent), so a fresh install needs no extra step.
 */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { config, connection, ledger, logger, fanOutPageSize, fanOutShardSize, tracing, metrics } = deps;
  const dispatcher = createEgressDispatcher({
    allowPrivateNetworks: config.ALLOW_PRIVATE_NETWORKS,
    proxyUrl: config.WEBHOOK_PROXY_URL,
    ...deps.addressCheck,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    ...workflowSource(deps),
    activities: createActivities({
      ledger,
      dispatcher,
      logger,
      fanOutPageSize,
      fanOutShardSize,
      confirmation: { baseUrl: publicUrl(config), key: confirmationKey(config.API_TOKEN) },
      disableAfterMs: config.DISABLE_AFTER_FAILING_FOR,
      reconcileGraceMs: config.RECONCILE_GRACE,
      retention: { retentionMs: config.RETENTION_DAYS, recordRetentionMs: config.RECORD_RETENTION_DAYS },
      metrics,
    }),
    // Deliveries wait on the network, not the CPU: many can be in flight per worker.
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: 40,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // Nothing when tracing is off: no interceptors, the workflow bundle as it is.
    ...workerTracingOptions(tracing),
  });
  dispatchRecordedEvents(worker, { ledger, logger, client: worker.client!, taskQueue: config.TASK_QUEUE });
  await ensureReconcileSchedule(worker.client!, { taskQueue: config.TASK_QUEUE, intervalMs: config.RECONCILE_INTERVAL });
  await ensurePurgeSchedule(worker.client!, { taskQueue: config.TASK_QUEUE, intervalMs: config.PURGE_INTERVAL });
  // Best effort: a server without fairness (older than 1.29, or Cloud with it off) still delivers.
  await syncFairnessWeights({ client: worker.client!, taskQueue: config.TASK_QUEUE }, await ledger.tenants.fairnessWeights()).catch((err: unknown) =>
    logger.warn({ err }, "could not bring Temporal's fairness weights to the ledger's; the reconciler tries again"),
  );
  return worker;
}

/**
 * The operational events this worker's activities record (an endpoint disabled, a delivery
 * exhausted, …) are started as they commit, by a dispatcher that lives as long as `worker.run()`.
 */
function dispatchRecordedEvents(worker: Worker, deps: ServiceDeps & { logger: Logger }): void {
  const dispatcher = new EventDispatcher(deps, { concurrency: 10, backlogLimit: Number.MAX_SAFE_INTEGER });
  const run = worker.run.bind(worker);
  worker.run = async () => {
    const stopListening = dispatcher.startRecordedEvents();
    try {
      await run();
    } finally {
      stopListening();
      // Those not started by now stay `accepted` for the reconciler.
      await dispatcher.stop(2_000);
    }
  };
}
