import { z } from 'zod';
import { cancelEvent, expungeEventPayload } from '../../operations/deliveries';
import { type FieldError, NotFoundError, ValidationError } from '../../model/errors';
import {
  createEventBatchSchema,
  createEventSchema,
  eventBatchResultSchema,
  eventIdSchema,
  eventSchema,
  eventWithDeliveriesSchema,
  MAX_BATCH_EVENTS,
} from '../../model';
import { type BatchItem, type BatchItemResult, publishEventBatch } from '../../operations/event-batches';
import { eventView, publishEvent } from '../../operations/events';
import { route } from '../route';
import { type BodyLimit, parseInput } from '../validate';

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

/** A batch's body may be this large (1,000 events of ~5 KiB); every other route keeps BODY_LIMIT. */
const BATCH_BODY_LIMIT: BodyLimit = { bytes: 5 * 1024 * 1024, label: '5 MiB' };

/** One batch item read as a POST /v1/events body would be: the event, or what is wrong with it. */
function batchItem(value: unknown): BatchItem {
  // parseInput reads a missing body as {}: an item that is null is not an event, rather than one missing every field.
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { errors: [{ in: 'body', field: '', message: 'must be an event object' }] };
  }
  try {
    const body = parseInput(createEventSchema, value, 'body');
    return { event: { id: body.id, tenantId: body.tenantId ?? null, type: body.type, data: body.data } };
  } catch (err) {
    if (err instanceof ValidationError) return { errors: err.fields };
    throw err;
  }
}

/** An item's result as the API shows it: its fields named by their place in the body (`events.3.tenantId`). */
function batchResultView(result: BatchItemResult, index: number) {
  if (result.status === 400) {
    const placed = (e: FieldError): FieldError => ({ ...e, field: e.field === '' ? `events.${index}` : `events.${index}.${e.field}` });
    return { status: result.status, errors: result.errors.map(placed) };
  }
  if (result.status === 409) return result;
  return { status: result.status, event: eventView(result.event) };
}

/**
 * An event of a deprecated type is accepted, with RFC 9745's `Deprecation` (since when, as
 * `@<unix seconds>`) and a `Link` to the type's catalog entry, which says why and what replaces it.
 */
function deprecationHeaders(type: string, deprecatedAt: string | null): Record<string, string> | undefined {
  if (deprecatedAt === null) return undefined;
  return {
    Deprecation: `@${Math.floor(Date.parse(deprecatedAt) / 1000)}`,
    Link: `</v1/event-types/${encodeURIComponent(type)}>; rel="deprecation"; type="application/json"`,
  };
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
      const { event, created, deprecatedAt } = await publishEvent(context, { id, tenantId: body.tenantId ?? null, type: body.type, data: body.data });
      context.metrics?.eventsAccepted('single', created ? 'new' : 'repeat', 1);
      context.logger.info({ eventId: event.id, eventType: event.type, created }, created ? 'event accepted' : 'event already known');
      return {
        status: created ? 202 : 200,
        location: `/v1/events/${encodeURIComponent(event.id)}`,
        headers: deprecationHeaders(event.type, deprecatedAt),
        body: eventView(event),
      };
    },
  }),
  route({
    method: 'post',
    path: '/v1/events/batch',
    summary: `Send up to ${MAX_BATCH_EVENTS.toLocaleString('en')} events at once (a body of at most ${BATCH_BODY_LIMIT.label}), each answered as POST /v1/events would answer it`,
    body: createEventBatchSchema,
    bodyLimit: BATCH_BODY_LIMIT,
    responses: {
      207: {
        description:
          'One result per item, in order: 202 recorded, 200 already there with the same content, 400 invalid, 409 id taken by other content. ' +
          'A bad item does not reject the others. The valid ones are recorded in one transaction, in order, and answered at its commit; ' +
          'their workflows start after the answer. ' +
          'Item ids make a repeat safe; the Idempotency-Key header does not apply.',
        schema: eventBatchResultSchema,
      },
    },
    problems: [503],
    async handle({ body }, context) {
      const results = await publishEventBatch(context, body.events.map(batchItem));
      const count = (status: number) => results.filter((r) => r.status === status).length;
      context.metrics?.eventsAccepted('batch', 'new', count(202));
      context.metrics?.eventsAccepted('batch', 'repeat', count(200));
      context.logger.info({ events: results.length, created: count(202), known: count(200), invalid: count(400), conflicts: count(409) }, 'event batch');
      return { status: 207, body: { results: results.map(batchResultView) } };
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
      const event = await ledger.events.get(params.id);
      const visible = event && (scope.tenantId === undefined || event.tenantId === null || event.tenantId === scope.tenantId);
      if (!visible) throw new NotFoundError('event', params.id);
      const { targetSubscriptionId: _, ...shown } = event;
      const deliveries = (await ledger.deliveries.listForEvent(event.id)).filter((d) => scope.tenantId === undefined || d.tenantId === scope.tenantId);
      return { status: 200, body: { ...shown, data: event.dataRemovedAt === null ? event.data : null, deliveries } };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/events/{id}/payload',
    summary:
      "Expunge an event's payload now (a data-protection request): the payload and its attempts' response bodies are removed, " +
      'its deliveries still open end cancelled, and nothing of it is sent again. The event, deliveries and attempts stay listed.',
    responses: { 200: { description: 'Expunged; the event as it is now', schema: eventWithDeliveriesSchema } },
    problems: [404],
    async handle({ params }, context) {
      const event = await expungeEventPayload(context, params.id);
      context.logger.info({ eventId: event.id, cancelled: event.deliveries.filter((d) => d.status === 'cancelled').length }, 'event payload expunged');
      return { status: 200, body: event };
    },
  }),
  route({
    method: 'post',
    path: '/v1/events/{id}/cancel',
    summary: 'Cancel every delivery of the event that has not ended',
    responses: { 202: { description: 'Cancelling' } },
    problems: [404, 503],
    async handle({ params }, context) {
      return { status: 202, body: { id: params.id, ...(await cancelEvent(context, params.id)) } };
    },
  }),
];
