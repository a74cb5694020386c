import { Router } from 'express';
import { NotFoundError } from '../../errors';
import { createSubscriptionSchema, pageQuerySchema, replayInputSchema, updateSubscriptionSchema } from '../../model';
import { startReplay } from '../../replay';
import type { ServiceDeps } from '../../service-deps';
import { generateSecret } from '../../signing';
import type { Logger } from '../../logger';
import { parseInput } from '../validate';

export function subscriptionRoutes(deps: ServiceDeps, logger: Logger): Router {
  const { ledger } = deps;
  const router = Router();

  router.post('/', async (req, res) => {
    const input = parseInput(createSubscriptionSchema, req.body, 'body');
    const secret = input.secret ?? generateSecret();
    const subscription = await ledger.createSubscription({ ...input, secret });
    logger.info({ subscriptionId: subscription.id, url: subscription.url }, 'subscription created');
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
