import { Router } from 'express';
import { cancelReplay, getReplay } from '../../replay';
import type { ServiceDeps } from '../../service-deps';

export function replayRoutes(deps: ServiceDeps): Router {
  const router = Router();

  router.get('/:id', async (req, res) => {
    res.json(await getReplay(deps, req.params.id));
  });

  router.post('/:id/cancel', async (req, res) => {
    res.status(202).json(await cancelReplay(deps, req.params.id));
  });

  return router;
}
