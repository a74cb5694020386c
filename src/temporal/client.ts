import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

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

/** A Temporal client for the gateway and tools. */
export async function connectClient(config: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
