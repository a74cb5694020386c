import { Router } from 'express';
import { NotFoundError } from '../../errors';
import { deliveryFilterSchema } from '../../model';
import type { Ledger } from '../../store/ledger';
import { parseInput } from '../validate';

export function deliveryRoutes(ledger: Ledger): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    res.json(await ledger.listDeliveries(parseInput(deliveryFilterSchema, req.query, 'query')));
  });

  router.get('/:id', async (req, res) => {
    const delivery = await ledger.getDelivery(req.params.id);
    if (!delivery) throw new NotFoundError('delivery', req.params.id);
    res.json({ ...delivery, attempts: await ledger.listAttempts(delivery.id) });
  });

  return router;
}
