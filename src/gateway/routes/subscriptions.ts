import { Router } from 'express';
import { NotFoundError } from '../../errors';
import { createSubscriptionSchema, pageQuerySchema, updateSubscriptionSchema } from '../../model';
import { generateSecret } from '../../signing';
import type { Logger } from '../../logger';
import type { Ledger } from '../../store/ledger';
import { parseInput } from '../validate';

export function subscriptionRoutes(ledger: Ledger, logger: Logger): Router {
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

  return router;
}
