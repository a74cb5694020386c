import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { type Config, loadConfig } from '../core/config';
import { exitWithParent } from '../core/exit-with-parent';
import { createLogger } from '../core/logger';
import { createWorkerMetrics, sdkPrometheusExporter, startMetricsEndpoint } from '../metrics';
import { openDatabase } from '../store/db';
import { Ledger } from '../store/ledger';
import { temporalConnectionOptions } from '../temporal/client';
import { sdkLogger } from '../temporal/sdk-logger';
import { startServiceTracing } from '../tracing';
import { createWorker } from './create-worker';

// The worker's process: `npm run worker`, the compose service and the tests' worker processes.

/** Which proxy attempts leave through, as logs may show it: its origin, never its user:password. */
function proxyForLog(config: Config): string {
  return config.WEBHOOK_PROXY_URL === undefined ? 'none (direct)' : new URL(config.WEBHOOK_PROXY_URL).origin;
}

async function main(): Promise<void> {
  exitWithParent(); // started by npm run dev: never outlive it
  const config = loadConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  Runtime.install({
    // The SDK's own lines join the worker's JSON lines; its webpack report only at LOG_LEVEL=debug.
    logger: sdkLogger(logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      metrics: await sdkPrometheusExporter(config.METRICS_HOST, config.WORKER_SDK_METRICS_PORT, logger),
    },
  });
  // The endpoint gauge reads the ledger at each scrape; the ledger reports deliveries it ends.
  const metrics = createWorkerMetrics({
    endpointStates: () => ledger.endpointHealth.stateCounts(),
    onCollectError: (err) => logger.warn({ err }, 'metrics: reading endpoint states from the ledger failed'),
  });
  const ledger = new Ledger(await openDatabase(config.DATABASE_URL), metrics, { operationsTenantId: config.OPERATIONS_TENANT_ID });
  const metricsServer = await startMetricsEndpoint(metrics.registry, config.METRICS_HOST, config.WORKER_METRICS_PORT, logger);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const tracing = startServiceTracing(config, 'worker', logger);
  const worker = await createWorker({ config, connection, ledger, logger, tracing, metrics });
  logger.info({ taskQueue: config.TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS, egressProxy: proxyForLog(config) }, 'worker started');
  await worker.run(); // returns after SIGINT/SIGTERM, which the SDK handles by draining
  await connection.close();
  await ledger.db.destroy();
  await metricsServer?.close();
  await tracing?.shutdown(); // exports the spans still buffered
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
