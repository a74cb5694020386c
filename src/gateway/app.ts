import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import { EventSchemas } from '../catalog/event-schemas';
import { type Config, publicUrl } from '../core/config';
import { confirmationKey } from '../security/confirmation-token';
import { NotFoundError } from '../model/errors';
import { EventDispatcher } from '../operations/event-dispatcher';
import type { Logger } from '../core/logger';
import type { GatewayMetrics } from '../metrics';
import type { Ledger } from '../store/ledger';
import { createPortal } from './portal';
import { authenticate } from './auth';
import { noStore } from './no-store';
import { buildOpenApiDocument, PATH_PARAMETER_SCHEMAS } from './openapi';
import { problemHandler } from './problem';
import { limitTenantRequests } from './quotas';
import type { GatewayContext } from './route';
import { mountRoutes } from './router';
import { ROUTES } from './routes';
import { jsonBody, validatePathParams } from './validate';

export interface GatewayDeps {
  config: Pick<
    Config,
    'API_TOKEN' | 'TASK_QUEUE' | 'ALLOW_PRIVATE_NETWORKS' | 'SECRET_ROTATION_GRACE' | 'PUBLIC_URL' | 'PORT' | 'DISPATCH_CONCURRENCY' | 'DISPATCH_BACKLOG_LIMIT'
  >;
  ledger: Ledger;
  client: Client;
  logger: Logger;
  /** Counts intake; the ledger given here should report to the same metrics (its observer). */
  metrics?: GatewayMetrics;
  /** Starts event workflows after the 202; made here from the config when not given (main.ts gives one, to drain it on stop). */
  dispatcher?: EventDispatcher;
}

/** The dispatcher a gateway starts its events' workflows with (the DISPATCH_* settings). */
export function createDispatcher({ config, ledger, client, logger, metrics }: Omit<GatewayDeps, 'dispatcher'>): EventDispatcher {
  const dispatcher = new EventDispatcher(
    { ledger, client, logger, taskQueue: config.TASK_QUEUE },
    { concurrency: config.DISPATCH_CONCURRENCY, backlogLimit: config.DISPATCH_BACKLOG_LIMIT },
  );
  metrics?.watchDispatch(dispatcher);
  return dispatcher;
}

export function createApp(deps: GatewayDeps): Express {
  const { config, ledger, client, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  const openApi = buildOpenApiDocument(ROUTES);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  const context: GatewayContext = {
    ledger,
    client,
    logger,
    taskQueue: config.TASK_QUEUE,
    allowPrivateNetworks: config.ALLOW_PRIVATE_NETWORKS,
    confirmationKey: confirmationKey(config.API_TOKEN),
    secretRotationGraceMs: config.SECRET_ROTATION_GRACE,
    publicUrl: publicUrl(config),
    metrics,
    dispatcher: deps.dispatcher ?? createDispatcher(deps),
    eventSchemas: new EventSchemas(ledger.catalog),
  };
  const checkPathParams = validatePathParams(Object.keys(openApi.paths), PATH_PARAMETER_SCHEMAS);
  app.use('/v1', noStore);
  // Confirmation URLs are capabilities handed to receivers: they carry their own signature, not the API token.
  app.use('/v1/confirmations', checkPathParams);
  mountRoutes(app.router, ROUTES.filter((r) => r.public), context);
  // After the token check, so that a caller without one learns nothing else.
  app.use('/v1', authenticate(config.API_TOKEN, ledger), limitTenantRequests(ledger), checkPathParams, jsonBody(ROUTES));
  mountRoutes(app.router, ROUTES.filter((r) => !r.public), context);

  app.use('/portal', createPortal({ ledger, logger, secureCookies: context.publicUrl.startsWith('https:') }));
  app.use((req, _res, next) => next(new NotFoundError('route', `${req.method} ${req.path}`)));
  app.use(problemHandler(logger, metrics));
  return app;
}
