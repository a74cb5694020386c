import { Router } from 'express';
import { confirmDelivery } from '../../confirm-delivery';
import type { Ledger } from '../../store/ledger';
import type { Client } from '@temporalio/client';

/** POST /v1/confirmations/:token — what a receiver calls when it has finished its work. */
export function confirmationRoutes(deps: { ledger: Ledger; client: Client; key: Buffer }): Router {
  const router = Router();
  router.post('/:token', async (req, res) => {
    res.json(await confirmDelivery(deps, req.params.token));
  });
  return router;
}
