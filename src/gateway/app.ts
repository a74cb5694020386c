import type { Client } from '@temporalio/client';
import express, { type Express, type RequestHandler } from 'express';
import type { Config } from '../config';
import { type HealthCheck, HealthCheckFailedError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { Ledger } from '../store/ledger';
import { confirmationKey } from '../confirmation-token';
import { requireBearer } from './auth';
import { buildOpenApiDocument, PATH_PARAMETER_SCHEMAS } from './openapi';
import { problemHandler } from './problem';
import { confirmationRoutes } from './routes/confirmations';
import { deliveryRoutes } from './routes/deliveries';
import { eventRoutes } from './routes/events';
import { replayRoutes } from './routes/replays';
import { retryRoutes } from './routes/retries';
import { subscriptionRoutes } from './routes/subscriptions';
import { jsonBody, validatePathParams } from './validate';

export interface GatewayDeps {
  config: Pick<Config, 'API_TOKEN' | 'TASK_QUEUE' | 'ALLOW_PRIVATE_NETWORKS'>;
  ledger: Ledger;
  client: Client;
  logger: Logger;
}

/** Under the 5 s a load balancer's health check typically allows. */
const HEALTH_TIMEOUT_MS = 3000;

/** Runs one dependency's probe; its error text goes to the log only, never into the response. */
async function check(name: string, probe: () => Promise<unknown>, logger: Logger): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch (err) {
    logger.warn({ err, check: name }, 'health check failed');
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** GET /healthz: 200 when the ledger and Temporal both answer, else 503 naming the one that did not. */
function healthz({ ledger, client, logger }: Pick<GatewayDeps, 'ledger' | 'client' | 'logger'>): RequestHandler {
  return async (_req, res) => {
    // The call's own deadline ends it (retries included) before the check gives up on it, so no
    // probe outlives the request.
    const deadline = Date.now() + HEALTH_TIMEOUT_MS - 500;
    const [ledgerCheck, temporalCheck] = await Promise.all([
      check('ledger', () => ledger.ping(), logger),
      check('temporal', () => client.connection.withDeadline(deadline, () => client.workflowService.getSystemInfo({})), logger),
    ]);
    const checks = { ledger: ledgerCheck, temporal: temporalCheck };
    if (ledgerCheck !== 'ok' || temporalCheck !== 'ok') throw new HealthCheckFailedError(checks);
    res.json({ status: 'ok', checks });
  };
}

export function createApp({ config, ledger, client, logger }: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  const openApi = buildOpenApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  app.get('/healthz', healthz({ ledger, client, logger }));

  const deps = { ledger, client, taskQueue: config.TASK_QUEUE };
  const checkPathParams = validatePathParams(Object.keys(openApi.paths), PATH_PARAMETER_SCHEMAS);
  const v1 = express.Router();
  // Confirmation URLs are capabilities handed to receivers: they carry their own signature, not the API token.
  v1.use('/confirmations', checkPathParams, confirmationRoutes({ ledger, client, key: confirmationKey(config.API_TOKEN), logger }));
  v1.use(requireBearer(config.API_TOKEN));
  // After the token check, so that a caller without one learns nothing else.
  v1.use(checkPathParams);
  v1.use(jsonBody());
  v1.use('/subscriptions', subscriptionRoutes(deps, logger, { allowPrivateNetworks: config.ALLOW_PRIVATE_NETWORKS }));
  v1.use('/events', eventRoutes(deps, logger));
  v1.use('/deliveries', deliveryRoutes(deps));
  v1.use('/replays', replayRoutes(deps));
  v1.use('/retries', retryRoutes(deps));
  app.use('/v1', v1);

  app.use((req, _res, next) => next(new NotFoundError('route', `${req.method} ${req.path}`)));
  app.use(problemHandler(logger));
  return app;
}
