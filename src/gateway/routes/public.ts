import { buildAsyncApiDocument } from '../../catalog/asyncapi';
import { withOperationalTypes } from '../../catalog/operational';
import { SCHEMA_MAX_AGE_MS } from '../../catalog/event-schemas';
import { confirmDelivery } from '../../operations/confirmations';
import { type HealthCheck, HealthCheckFailedError } from '../../model/errors';
import type { Logger } from '../../core/logger';
import { type GatewayContext, route } from '../route';

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

/** Each ledger's AsyncAPI document and when it was built. */
const asyncApiCache = new WeakMap<object, { at: number; document: Promise<unknown> }>();

/**
 * The AsyncAPI document, built at most once per SCHEMA_MAX_AGE_MS per gateway: it is public and
 * the catalog it reads can be large, so a flood of requests reads the ledger once a second.
 */
function currentAsyncApi({ ledger }: GatewayContext): Promise<unknown> {
  const at = Date.now();
  const cached = asyncApiCache.get(ledger.catalog);
  if (cached && at - cached.at < SCHEMA_MAX_AGE_MS) return cached.document;
  const document = ledger.catalog.list().then((declared) => buildAsyncApiDocument(withOperationalTypes(declared)));
  asyncApiCache.set(ledger.catalog, { at, document });
  // A failed read is not kept: the next request tries again.
  document.catch(() => asyncApiCache.delete(ledger.catalog));
  return document;
}

/** Routes served without the API token. */
export const publicRoutes = [
  route({
    method: 'post',
    path: '/v1/confirmations/{token}',
    summary: 'Confirm a webhook (the webhook-confirm-url a receiver got); needs no API token',
    public: true,
    responses: { 200: { description: 'Confirmed' } },
    problems: [403, 409, 410],
    async handle({ params }, context) {
      return { status: 200, body: await confirmDelivery({ ...context, key: context.confirmationKey }, params.token) };
    },
  }),
  route({
    method: 'get',
    path: '/asyncapi.json',
    summary: 'The AsyncAPI 3.0.0 document of the declared event types (Standard Webhooks envelope and headers), for receivers to generate code from; public like /openapi.json',
    public: true,
    responses: { 200: { description: 'The AsyncAPI document (at most 1 s behind the catalog)' } },
    problems: [],
    async handle(_input, context) {
      return { status: 200, body: await currentAsyncApi(context) };
    },
  }),
  route({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness of Temporal and the ledger',
    public: true,
    responses: { 200: { description: 'Both answer' } },
    problems: [503],
    async handle(_input, { ledger, client, logger }) {
      // The call's own deadline ends it (retries included) before the check gives up on it, so no
      // probe outlives the request.
      const deadline = Date.now() + HEALTH_TIMEOUT_MS - 500;
      const [ledgerCheck, temporalCheck] = await Promise.all([
        check('ledger', () => ledger.ping(), logger),
        check('temporal', () => client.connection.withDeadline(deadline, () => client.workflowService.getSystemInfo({})), logger),
      ]);
      const checks = { ledger: ledgerCheck, temporal: temporalCheck };
      if (ledgerCheck !== 'ok' || temporalCheck !== 'ok') throw new HealthCheckFailedError(checks);
      return { status: 200, body: { status: 'ok', checks } };
    },
  }),
];
