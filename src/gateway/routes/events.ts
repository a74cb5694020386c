import { Router } from 'express';
import { z } from 'zod';
import { cancelEvent } from '../../delivery-operations';
import { NotFoundError, ValidationError } from '../../errors';
import { createEventSchema, eventIdSchema } from '../../model';
import type { Logger } from '../../logger';
import { publishEvent } from '../../publish-event';
import type { ServiceDeps } from '../../service-deps';
import { parseInput } from '../validate';

const idempotencyHeaderSchema = z.object({ 'Idempotency-Key': eventIdSchema });

export function eventRoutes(deps: ServiceDeps, logger: Logger): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const input = parseInput(createEventSchema, req.body, 'body');
    const key = req.get('idempotency-key');
    if (key !== undefined) {
      parseInput(idempotencyHeaderSchema, { 'Idempotency-Key': key }, 'header');
      if (input.id !== undefined && input.id !== key) {
        throw new ValidationError([{ in: 'header', field: 'Idempotency-Key', message: 'differs from the body id' }]);
      }
    }
    const { event, created } = await publishEvent({ ...deps, logger }, { ...input, id: input.id ?? key });
    logger.info({ eventId: event.id, eventType: event.type, created }, created ? 'event accepted' : 'event already known');
    res
      .status(created ? 202 : 200)
      .location(`/v1/events/${encodeURIComponent(event.id)}`)
      .json({ id: event.id, type: event.type, status: event.status, createdAt: event.createdAt });
  });

  router.get('/:id', async (req, res) => {
    const event = await deps.ledger.getEvent(req.params.id);
    if (!event) throw new NotFoundError('event', req.params.id);
    res.json({ ...event, deliveries: await deps.ledger.listEventDeliveries(event.id) });
  });

  router.post('/:id/cancel', async (req, res) => {
    res.status(202).json({ id: req.params.id, ...(await cancelEvent(deps, req.params.id)) });
  });

  return router;
}
