import type { DataCheck, EventSchemas } from '../catalog/event-schemas';
import { ConflictError, ValidationError } from '../model/errors';
import type { EventDispatcher } from './event-dispatcher';
import { newId } from '../core/ids';
import type { ServiceDeps } from './deps';
import { isSameEvent, type NewEvent, type StoredEvent } from '../store/ledger';

/** What intake works with: the ledger, the dispatcher, and the catalog's schemas. */
export type IntakeDeps = Pick<ServiceDeps, 'ledger'> & { dispatcher: EventDispatcher; eventSchemas: EventSchemas };

/**
 * Records an event and hands it to the dispatcher, idempotently on the event id: the ledger row is
 * written first and the workflow id is the event id, so at most one workflow ever runs for it.
 * Posting the same id with the same type and data again is a no-op; with other content, a conflict.
 * The answer comes from the ledger commit: the workflow starts after it, off the request path
 * (event-dispatcher.ts), and what a crash leaves unstarted the reconciler starts. Over the
 * dispatch backlog limit nothing is recorded and the caller gets a 503 with Retry-After. Data that
 * fails its type's declared schema is a 400 naming the field; `deprecatedAt` says whether (since
 * when) the type is deprecated.
 */
export async function publishEvent(
  deps: IntakeDeps,
  input: Omit<NewEvent, 'id'> & { id?: string },
): Promise<{ event: StoredEvent; created: boolean; deprecatedAt: string | null }> {
  if (input.tenantId !== null && !(await deps.ledger.tenants.get(input.tenantId))) {
    throw new ValidationError([{ in: 'body', field: 'tenantId', message: `no tenant with id ${input.tenantId}` }]);
  }
  const [{ problem, deprecatedAt }] = (await deps.eventSchemas.check([input])) as [DataCheck];
  if (problem) throw new ValidationError([problem]);
  await deps.dispatcher.admit(1);
  const { event, created } = await deps.ledger.events.insert({ ...input, id: input.id ?? newId.event() });
  // A repeat is the same event posted again; different content under a taken id would vanish silently.
  if (!created && !isSameEvent(event, input)) {
    throw new ConflictError(`Event id ${event.id} is already taken by a different event (another tenant, type or data); use a new id.`);
  }
  // A repeat still `accepted` is queued again: its first post's process may have died before starting it.
  if (event.status === 'accepted') deps.dispatcher.enqueue([event]);
  return { event, created, deprecatedAt };
}

/** An event as the API shows it when accepted. */
export function eventView(event: StoredEvent) {
  return { id: event.id, tenantId: event.tenantId, type: event.type, status: event.status, createdAt: event.createdAt };
}
