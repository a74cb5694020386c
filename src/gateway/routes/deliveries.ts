import { Router } from 'express';
import { startBulkRetry } from '../../bulk-retry';
import { cancelDelivery, retryDelivery } from '../../delivery-operations';
import type { ServiceDeps } from '../../service-deps';
import { NotFoundError } from '../../errors';
import { bulkRetrySchema, deliveryFilterSchema } from '../../model';
import { parseInput } from '../validate';

export function deliveryRoutes(deps: ServiceDeps): Router {
  const { ledger } = deps;
  const router = Router();

  router.get('/', async (req, res) => {
    res.json(await ledger.listDeliveries(parseInput(deliveryFilterSchema, req.query, 'query')));
  });

  /** Bulk retry of failed (or cancelled) deliveries matching a filter: a job, answered at once. */
  router.post('/retry', async (req, res) => {
    const filter = parseInput(bulkRetrySchema, req.body, 'body');
    const job = await startBulkRetry(deps, filter);
    res.status(202).location(`/v1/retries/${job.id}`).json(job);
  });

  router.get('/:id', async (req, res) => {
    const delivery = await ledger.getDelivery(req.params.id);
    if (!delivery) throw new NotFoundError('delivery', req.params.id);
    res.json({ ...delivery, attempts: await ledger.listAttempts(delivery.id) });
  });

  router.post('/:id/cancel', async (req, res) => {
    res.status(202).json(await cancelDelivery(deps, req.params.id));
  });

  router.post('/:id/retry', async (req, res) => {
    res.status(202).json(await retryDelivery(deps, req.params.id));
  });

  return router;
}
