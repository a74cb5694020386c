import { Router } from 'express';
import { confirmDelivery } from '../../confirm-delivery';

/** POST /v1/confirmations/:token — what a receiver calls when it has finished its work. */
export function confirmationRoutes(deps: Parameters<typeof confirmDelivery>[0]): Router {
  const router = Router();
  router.post('/:token', async (req, res) => {
    res.json(await confirmDelivery(deps, req.params.token));
  });
  return router;
}
