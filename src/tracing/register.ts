/**
 * The gateway's tracing, started as a side effect of importing this module. main.ts imports it
 * first: the HTTP instrumentation must be in place before express and http are loaded.
 */
import { type Config, loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { startServiceTracing, type Tracing } from './index';

function start(): Tracing | undefined {
  let config: Config;
  try {
    config = loadConfig();
  } catch {
    return undefined; // main() reports the bad configuration
  }
  return startServiceTracing(config, 'gateway', createLogger('gateway', config.LOG_LEVEL));
}

/** Defined when tracing is on; main.ts shuts it down last, so the final spans are exported. */
export const gatewayTracing = start();
