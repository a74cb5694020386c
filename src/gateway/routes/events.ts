import { z } from 'zod';
import { cancelEvent } from '../../delivery-operations';
import { NotFoundError, ValidationError } from '../../errors';
import { createEventSchema, eventIdSchema, eventSchema, eventTypeEntrySchema, eventWithDeliveriesSchema } from '../../model';
import { eventView, publishEvent } from '../../publish-event';
import { route } from '../route';
import { parseInput } from '../validate';

const IDEMPOTENCY_KEY = 'Idempotency-Key';
const idempotencyHeaderSchema = z.object({ [IDEMPOTENCY_KEY]: eventIdSchema });

/** The event id from the body or the Idempotency-Key header; both given, they must agree. */
function eventIdOf(bodyId: string | undefined, key: string | undefined): string | undefined {
  if (key === undefined) return bodyId;
  parseInput(idempotencyHeaderSchema, { [IDEMPOTENCY_KEY]: key }, 'header');
  if (bodyId !== undefined && bodyId !== key) {
    throw new ValidationError([{ in: 'header', field: IDEMPOTENCY_KEY, message: 'differs from the body id' }]);
  }
  return key;
}

export const eventRoutes = [
  route({
    method: 'post',
    path: '/v1/events',
    summary: "Send an event to the matching subscriptions of its tenant (or of every tenant, with broadcast)",
    headers: [{ name: IDEMPOTENCY_KEY, schema: eventIdSchema, description: 'Used as the event id when the body has none.' }],
    body: createEventSchema,
    responses: {
      202: { description: 'Accepted; deliveries are starting', schema: eventSchema },
      200: { description: 'An event with this id already exists; nothing new was started', schema: eventSchema },
    },
    problems: [409, 503],
    async handle({ body, header }, context) {
      const id = eventIdOf(body.id, header(IDEMPOTENCY_KEY));
      const { event, created } = await publishEvent(context, { id, tenantId: body.tenantId ?? null, type: body.type, data: body.data });
      context.logger.info({ eventId: event.id, eventType: event.type, created }, created ? 'event accepted' : 'event already known');
      return {
        status: created ? 202 : 200,
        location: `/v1/events/${encodeURIComponent(event.id)}`,
        body: eventView(event),
      };
    },
  }),
  route({
    method: 'get',
    path: '/v1/events/{id}',
    summary: "An event with its deliveries (for a tenant: its own events and broadcasts, with only its own deliveries)",
    access: 'tenant',
    responses: { 200: { description: 'The event', schema: eventWithDeliveriesSchema } },
    problems: [404],
    async handle({ params, scope }, { ledger }) {
      const event = await ledger.getEvent(params.id!);
      const visible = event && (scope.tenantId === undefined || event.tenantId === null || event.tenantId === scope.tenantId);
      if (!visible) throw new NotFoundError('event', params.id!);
      const { targetSubscriptionId: _, ...shown } = event;
      const deliveries = (await ledger.listEventDeliveries(event.id)).filter((d) => scope.tenantId === undefined || d.tenantId === scope.tenantId);
      return { status: 200, body: { ...shown, deliveries } };
    },
  }),
  route({
    method: 'get',
    path: '/v1/event-types',
    summary: "Event types seen so far, most recent first: what an endpoint can subscribe to (a tenant's own and broadcasts' for a tenant key)",
    access: 'tenant',
    responses: { 200: { description: 'The types', schema: z.object({ data: z.array(eventTypeEntrySchema) }) } },
    problems: [],
    async handle({ scope }, { ledger }) {
      return { status: 200, body: { data: await ledger.listEventTypes(scope.tenantId) } };
    },
  }),
  route({
    method: 'post',
    path: '/v1/events/{id}/cancel',
    summary: 'Cancel every delivery of the event that has not ended',
    responses: { 202: { description: 'Cancelling' } },
    problems: [404, 503],
    async handle({ params }, context) {
      return { status: 202, body: { id: params.id, ...(await cancelEvent(context, params.id!)) } };
    },
  }),
];
