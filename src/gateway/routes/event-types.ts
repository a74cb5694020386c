import { z } from 'zod';
import { declaredEventTypeSchema, eventTypeEntrySchema, putEventTypeSchema } from '../../catalog/model';
import { operationalEntry, withOperationalTypes } from '../../catalog/operational';
import { declaredView, mergedCatalog } from '../../catalog/views';
import { isOperationalType, OPERATIONAL_PREFIX } from '../../filters/event-types';
import { NotFoundError, ValidationError } from '../../model/errors';
import { route } from '../route';

/** The service declares its own types (webhook.*): the operator cannot redeclare or remove them. */
function notReserved(type: string): string {
  if (isOperationalType(type)) throw new ValidationError([{ in: 'path', field: 'type', message: `${OPERATIONAL_PREFIX} types are the service's own, declared by it` }]);
  return type;
}

/**
 * The event-type catalog: the operator declares types (description, JSON Schema of `data`,
 * example, deprecation); tenants read it, merged with the types they have seen.
 */
export const eventTypeRoutes = [
  route({
    method: 'get',
    path: '/v1/event-types',
    summary:
      "The event-type catalog: types seen so far, most recent first (a tenant's own and broadcasts' for a tenant), declared ones with their description, schema, example and deprecation, then declared types not seen yet",
    access: 'tenant',
    responses: { 200: { description: 'The types', schema: z.object({ data: z.array(eventTypeEntrySchema) }) } },
    problems: [],
    async handle({ scope }, { ledger }) {
      const [seen, declared] = await Promise.all([ledger.events.listTypes(scope.tenantId), ledger.catalog.list()]);
      return { status: 200, body: { data: mergedCatalog(seen, withOperationalTypes(declared)) } };
    },
  }),
  route({
    method: 'get',
    path: '/v1/event-types/{type}',
    summary: 'A declared event type (404 for a type only seen, or unknown)',
    access: 'tenant',
    responses: { 200: { description: 'The declared type', schema: declaredEventTypeSchema } },
    problems: [404],
    async handle({ params, scope }, { ledger }) {
      const entry = operationalEntry(params.type) ?? (await ledger.catalog.get(params.type));
      if (!entry) throw new NotFoundError('declared event type', params.type);
      return { status: 200, body: declaredView(entry, await ledger.catalog.lastSeenAt(entry.type, scope.tenantId)) };
    },
  }),
  route({
    method: 'put',
    path: '/v1/event-types/{type}',
    summary: "Declare an event type, or replace its declaration: events of a type with a schema are checked against it at intake (within 1 s on every gateway)",
    body: putEventTypeSchema,
    responses: {
      201: { description: 'Declared', schema: declaredEventTypeSchema },
      200: { description: 'Declaration replaced', schema: declaredEventTypeSchema },
    },
    problems: [409],
    async handle({ params, body }, { ledger, logger, eventSchemas }) {
      const type = notReserved(params.type);
      if (body.replacedBy === type) throw new ValidationError([{ in: 'body', field: 'replacedBy', message: 'must be another type than this one' }]);
      const { entry, created } = await ledger.catalog.put(type, body);
      eventSchemas.forget(type);
      logger.info({ eventType: type, version: entry.version, hasSchema: entry.schema !== null, deprecated: entry.deprecated }, created ? 'event type declared' : 'event type updated');
      return { status: created ? 201 : 200, location: `/v1/event-types/${encodeURIComponent(type)}`, body: declaredView(entry, await ledger.catalog.lastSeenAt(type)) };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/event-types/{type}',
    summary: 'Remove a declaration: events of the type are accepted unchecked again (within 1 s on every gateway); it stays listed while seen',
    responses: { 204: { description: 'Removed' } },
    problems: [404],
    async handle({ params }, { ledger, logger, eventSchemas }) {
      if (!(await ledger.catalog.delete(notReserved(params.type)))) throw new NotFoundError('declared event type', params.type);
      eventSchemas.forget(params.type);
      logger.info({ eventType: params.type }, 'event type declaration removed');
      return { status: 204 };
    },
  }),
];
