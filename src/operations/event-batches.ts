import type { FieldError } from '../model/errors';
import { newId } from '../core/ids';
import type { IntakeDeps } from './events';
import type { BatchOutcome, NewEvent, StoredEvent } from '../store/ledger';

/** One item of a batch, as the gateway read it: an event (its id optional), or what is wrong with it. */
export type BatchItem = { event: Omit<NewEvent, 'id'> & { id?: string } } | { errors: FieldError[] };

/** What became of one item; field errors name the item's own fields (`tenantId`), the gateway adds its place. */
export type BatchItemResult =
  | { status: 202 | 200; event: StoredEvent }
  | { status: 400; errors: FieldError[] }
  | { status: 409; detail: string };

type Recordable = { index: number; event: NewEvent };

/**
 * Records a batch of events and hands them to the dispatcher, each item with publishEvent's rules:
 * idempotent on the event id (same content → 200, other content → 409), an unknown tenant is a
 * 400, and a bad item does not stop the others. The valid items are recorded in one transaction,
 * in order, and the answer comes from its commit; their workflows start after it, off the request
 * path (event-dispatcher.ts). What a crash leaves unstarted stays `accepted` and the reconciler
 * starts it; posting the batch again queues each item still `accepted` once more. A batch that
 * would take the dispatch backlog over its limit is refused whole (503), nothing recorded. An item
 * whose data fails its type's declared schema is that item's 400, naming the field.
 */
export async function publishEventBatch(deps: IntakeDeps, items: BatchItem[]): Promise<BatchItemResult[]> {
  const results: (BatchItemResult | undefined)[] = items.map((item) => ('errors' in item ? { status: 400, errors: item.errors } : undefined));
  const candidates = items.flatMap((item, index): Recordable[] => ('event' in item ? [{ index, event: { ...item.event, id: item.event.id ?? newId.event() } }] : []));
  const tenants = await deps.ledger.eventBatches.existingTenantIds(candidates.flatMap((c) => (c.event.tenantId === null ? [] : [c.event.tenantId])));
  const checks = await deps.eventSchemas.check(candidates.map((c) => c.event));
  const recordable = candidates.filter(({ index, event }, k) => {
    const problem = event.tenantId === null || tenants.has(event.tenantId) ? checks[k]!.problem : { in: 'body' as const, field: 'tenantId', message: `no tenant with id ${event.tenantId}` };
    if (problem) results[index] = { status: 400, errors: [problem] };
    return problem === undefined;
  });
  if (recordable.length > 0) await deps.dispatcher.admit(recordable.length);
  const outcomes = await deps.ledger.eventBatches.insert(recordable.map((r) => r.event));
  outcomes.forEach((outcome, k) => (results[recordable[k]!.index] = resultOf(outcome)));
  deps.dispatcher.enqueue(toStart(outcomes));
  return results.map((r) => r!);
}

function resultOf({ event, outcome }: BatchOutcome): BatchItemResult {
  if (outcome === 'conflict') {
    return { status: 409, detail: `Event id ${event.id} is already taken by a different event (another tenant, type or data); use a new id.` };
  }
  return { status: outcome === 'created' ? 202 : 200, event };
}

/** The events whose workflow to start: recorded, not yet fanned out, each id once. */
function toStart(outcomes: BatchOutcome[]): StoredEvent[] {
  const events = new Map<string, StoredEvent>();
  for (const { event, outcome } of outcomes) if (outcome !== 'conflict' && event.status === 'accepted') events.set(event.id, event);
  return [...events.values()];
}
