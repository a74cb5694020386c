import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDatabase } from '../store/db';
import { Ledger } from '../store/ledger';
import { connectClient } from '../temporal/client';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const ledger = new Ledger(await openDatabase(config.DATABASE_URL));
  const client = await connectClient(config);
  const app = createApp({ config, ledger, client, logger });
  const server = app.listen(config.PORT, () => {
    const { address, port } = server.address() as AddressInfo;
    logger.info({ address, port }, 'gateway listening');
  });
  const stop = () => {
    server.close(() => {
      void client.connection.close().finally(() => ledger.db.destroy());
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
