import type { MetricsExporterConfig } from '@temporalio/worker';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';
import { freePort, type MetricsServer, serveMetrics } from './server';

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * Serves `registry` on METRICS_HOST and the given port (0: any free one), or nothing when the
 * setting is `off` (undefined). Logs where, so a port picked at random can be found.
 */
export async function startMetricsEndpoint(
  registry: Registry,
  host: string,
  port: number | undefined,
  logger: Logger,
): Promise<MetricsServer | undefined> {
  if (port === undefined) return undefined;
  const server = await serveMetrics(registry, host, port);
  logger.info({ url: server.url }, 'metrics served');
  return server;
}

/**
 * The Temporal SDK runtime's own Prometheus exporter (its worker's pollers, slots, task latencies),
 * for Runtime.install's telemetryOptions.metrics; undefined when WORKER_SDK_METRICS_PORT is off.
 * The exporter binds where it is told, so port 0 is resolved to a free port here and logged.
 */
export async function sdkPrometheusExporter(host: string, port: number | undefined, logger: Logger): Promise<MetricsExporterConfig | undefined> {
  if (port === undefined) return undefined;
  const chosen = port === 0 ? await freePort(host) : port;
  logger.info({ url: `http://${hostPort(host, chosen)}/metrics` }, 'Temporal SDK metrics served');
  return { prometheus: { bindAddress: hostPort(host, chosen) } };
}
