import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Config } from '../config';
import { DependencyUnavailableError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { Ledger } from '../store/ledger';
import { confirmationKey } from '../confirmation-token';
import { requireBearer } from './auth';
import { buildOpenApiDocument } from './openapi';
import { problemHandler } from './problem';
import { confirmationRoutes } from './routes/confirmations';
import { deliveryRoutes } from './routes/deliveries';
import { eventRoutes } from './routes/events';
import { replayRoutes } from './routes/replays';
import { subscriptionRoutes } from './routes/subscriptions';

export interface GatewayDeps {
  config: Pick<Config, 'API_TOKEN' | 'TASK_QUEUE'>;
  ledger: Ledger;
  client: Client;
  logger: Logger;
}

const HEALTH_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new DependencyUnavailableError(`${what} did not answer in time`)), HEALTH_TIMEOUT_MS).unref(),
    ),
  ]);
}

export function createApp({ config, ledger, client, logger }: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  const openApi = buildOpenApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  app.get('/healthz', async (_req, res) => {
    await withTimeout(ledger.ping(), 'ledger').catch((err: Error) => {
      throw new DependencyUnavailableError(`ledger: ${err.message}`);
    });
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    await client.connection.withDeadline(deadline, () => client.workflowService.getSystemInfo({})).catch((err: Error) => {
      throw new DependencyUnavailableError(`Temporal: ${err.message}`);
    });
    res.json({ status: 'ok' });
  });

  const deps = { ledger, client, taskQueue: config.TASK_QUEUE };
  const v1 = express.Router();
  // Confirmation URLs are capabilities handed to receivers: they carry their own signature, not the API token.
  v1.use('/confirmations', confirmationRoutes({ ledger, client, key: confirmationKey(config.API_TOKEN), logger }));
  v1.use(requireBearer(config.API_TOKEN));
  v1.use(express.json({ limit: '256kb', type: () => true }));
  v1.use('/subscriptions', subscriptionRoutes(deps, logger));
  v1.use('/events', eventRoutes(deps, logger));
  v1.use('/deliveries', deliveryRoutes(deps));
  v1.use('/replays', replayRoutes(deps));
  app.use('/v1', v1);

  app.use((req, _res, next) => next(new NotFoundError('route', `${req.method} ${req.path}`)));
  app.use(problemHandler(logger));
  return app;
}
