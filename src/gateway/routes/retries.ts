import { Router } from 'express';
import { cancelBulkRetry, getBulkRetry } from '../../bulk-retry';
import type { ServiceDeps } from '../../service-deps';

export function retryRoutes(deps: ServiceDeps): Router {
  const router = Router();

  router.get('/:id', async (req, res) => {
    res.json(await getBulkRetry(deps, req.params.id));
  });

  router.post('/:id/cancel', async (req, res) => {
    res.status(202).json(await cancelBulkRetry(deps, req.params.id));
  });

  return router;
}
