import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../core/config';
import { clientTracingInterceptors } from '../tracing';
import { deadlineInterceptor } from './deadline';

type TemporalSettings = Pick<
  Config,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS'
>;

/**
 * Connection options shared by the client (gateway) and the worker's native connection: plain
 * for a local server, TLS with an API key or a client certificate for Temporal Cloud.
 */
export function temporalConnectionOptions(config: TemporalSettings) {
  const clientCertPair =
    config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
      ? { crt: fs.readFileSync(config.TEMPORAL_TLS_CERT), key: fs.readFileSync(config.TEMPORAL_TLS_KEY) }
      : undefined;
  const tls = clientCertPair ? { clientCertPair } : config.TEMPORAL_API_KEY || config.TEMPORAL_TLS ? true : undefined;
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(tls !== undefined && { tls }),
    ...(config.TEMPORAL_API_KEY && { apiKey: config.TEMPORAL_API_KEY }),
  };
}

/** While Temporal is down, try to reconnect at least this often, so a returning server is seen soon. */
const MAX_RECONNECT_BACKOFF_MS = 5_000;

/**
 * A Temporal client for the gateway and tools. It connects lazily, on its first call, so the
 * gateway starts (and /healthz can say so) while Temporal is down, and every call has a deadline
 * (see deadline.ts) so a route answers 503 in seconds instead of retrying for ~20 s. With tracing
 * on, each workflow it starts continues the caller's trace.
 */
export async function connectClient(
  config: TemporalSettings & Partial<Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT'>>,
): Promise<Client> {
  const connection = Connection.lazy({
    ...temporalConnectionOptions(config),
    interceptors: [deadlineInterceptor()],
    channelArgs: { 'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS },
  });
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: clientTracingInterceptors(config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined),
  });
}
