// First: tracing's HTTP instrumentation must be in place before http and express are loaded.
import { gatewayTracing } from '../tracing/register';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../core/config';
import type { Client } from '@temporalio/client';
import { createLogger, type Logger } from '../core/logger';
import { createGatewayMetrics, startMetricsEndpoint } from '../metrics';
import { openDatabase } from '../store/db';
import { Ledger } from '../store/ledger';
import { connectClient } from '../temporal/client';
import { isTemporalUnavailable } from '../temporal/deadline';
import { createApp, createDispatcher } from './app';
import { exitWithParent } from '../core/exit-with-parent';
import { answerClientErrorsAsProblems } from './client-errors';

/**
 * The gateway starts while Temporal is down (its routes answer 503 meanwhile) and says so once. Any
 * other answer (a bad API key or certificate) is a misconfiguration: stop, as an eager connect did.
 */
async function checkTemporal(client: Client, logger: Logger): Promise<void> {
  try {
    await client.workflowService.getSystemInfo({});
  } catch (err) {
    if (!isTemporalUnavailable(err)) {
      logger.error({ err }, 'Temporal refused the connection');
      process.exit(1);
    }
    logger.warn({ err }, 'Temporal is unavailable; routes that need it answer 503 until it is back (see /healthz)');
  }
}

/** On SIGTERM, how long queued workflow starts may take before the gateway exits anyway. */
const STOP_DRAIN_MS = 5_000;

async function main(): Promise<void> {
  exitWithParent(); // started by npm run dev: never outlive it
  const config = loadConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  // Counts intake, and the deliveries this process ends (cancels, confirmations) as the ledger reports them.
  const metrics = createGatewayMetrics();
  const ledger = new Ledger(await openDatabase(config.DATABASE_URL), metrics, { operationsTenantId: config.OPERATIONS_TENANT_ID });
  const metricsServer = await startMetricsEndpoint(metrics.registry, config.METRICS_HOST, config.GATEWAY_METRICS_PORT, logger);
  const client = await connectClient(config);
  const dispatcher = createDispatcher({ config, ledger, client, logger, metrics });
  // Operational events this gateway records (a secret rotated, a delivery cancelled) start like posted ones.
  dispatcher.startRecordedEvents();
  const app = createApp({ config, ledger, client, logger, metrics, dispatcher });
  const server = app.listen(config.PORT, () => {
    const { address, port } = server.address() as AddressInfo;
    logger.info({ address, port }, 'gateway listening');
    void checkTemporal(client, logger);
  });
  answerClientErrorsAsProblems(server);
  const stop = () => {
    server.close(() => {
      // Workflows of events already answered 202 are started before Temporal's connection goes; what
      // is still queued after the grace stays `accepted` for the reconciler.
      void dispatcher
        .stop(STOP_DRAIN_MS)
        .then(() => client.connection.close())
        .finally(() => ledger.db.destroy())
        .finally(() => metricsServer?.close())
        .finally(() => gatewayTracing?.shutdown()); // exports the spans still buffered
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
