import { Router } from 'express';
import { NotFoundError, ValidationError } from '../../errors';
import { nonPublicHostReason } from '../../http/private-address';
import { createSubscriptionSchema, pageQuerySchema, replayInputSchema, updateSubscriptionSchema } from '../../model';
import { startReplay } from '../../replay';
import type { ServiceDeps } from '../../service-deps';
import { generateSecret } from '../../signing';
import { type Logger, urlForLog } from '../../logger';
import { parseInput } from '../validate';

export interface ReceiverPolicy {
  /** ALLOW_PRIVATE_NETWORKS: receivers may be on loopback, private and other non-public hosts. */
  allowPrivateNetworks: boolean;
}

/**
 * Refuses a receiver URL whose host can never be public, at the API rather than at the first
 * attempt. Only what the URL says is judged (no DNS here); the worker checks resolved addresses.
 */
function checkReceiverUrl(url: string | undefined, policy: ReceiverPolicy): void {
  if (url === undefined || policy.allowPrivateNetworks) return;
  const reason = nonPublicHostReason(new URL(url));
  if (reason) throw new ValidationError([{ in: 'body', field: 'url', message: `must point at a public host: ${reason}` }]);
}

export function subscriptionRoutes(deps: ServiceDeps, logger: Logger, policy: ReceiverPolicy): Router {
  const { ledger } = deps;
  const router = Router();

  router.post('/', async (req, res) => {
    const input = parseInput(createSubscriptionSchema, req.body, 'body');
    checkReceiverUrl(input.url, policy);
    const secret = input.secret ?? generateSecret();
    const subscription = await ledger.createSubscription({ ...input, secret });
    logger.info({ subscriptionId: subscription.id, url: urlForLog(subscription.url) }, 'subscription created');
    res.status(201).location(`/v1/subscriptions/${subscription.id}`).json({ ...subscription, secret });
  });

  router.get('/', async (req, res) => {
    res.json(await ledger.listSubscriptions(parseInput(pageQuerySchema, req.query, 'query')));
  });

  router.get('/:id', async (req, res) => {
    const subscription = await ledger.getSubscription(req.params.id);
    if (!subscription) throw new NotFoundError('subscription', req.params.id);
    res.json(subscription);
  });

  router.patch('/:id', async (req, res) => {
    const patch = parseInput(updateSubscriptionSchema, req.body, 'body');
    checkReceiverUrl(patch.url, policy);
    const subscription = await ledger.updateSubscription(req.params.id, patch);
    if (!subscription) throw new NotFoundError('subscription', req.params.id);
    res.json(subscription);
  });

  router.delete('/:id', async (req, res) => {
    if (!(await ledger.deleteSubscription(req.params.id))) throw new NotFoundError('subscription', req.params.id);
    res.status(204).end();
  });

  /** Re-delivers the subscription's events of a time window; progress at GET /v1/replays/:id. */
  router.post('/:id/replay', async (req, res) => {
    const window = parseInput(replayInputSchema, req.body, 'body');
    const replay = await startReplay(deps, req.params.id, window);
    logger.info({ subscriptionId: req.params.id, replayId: replay.id }, 'replay started');
    res.status(202).location(`/v1/replays/${replay.id}`).json(replay);
  });

  return router;
}
