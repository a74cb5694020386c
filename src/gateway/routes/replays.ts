import { Router } from 'express';
import { cancelReplay, getReplay, type ReplayDeps } from '../../replay';

export function replayRoutes(deps: ReplayDeps): Router {
  const router = Router();

  router.get('/:id', async (req, res) => {
    res.json(await getReplay(deps, req.params.id));
  });

  router.post('/:id/cancel', async (req, res) => {
    res.status(202).json(await cancelReplay(deps, req.params.id));
  });

  return router;
}
