import { mapWithConcurrency } from './concurrency';
import type { FieldError } from './errors';
import { newId } from './ids';
import type { Logger } from './logger';
import { startEventWorkflow } from './publish-event';
import type { ServiceDeps } from './service-deps';
import type { BatchOutcome, NewEvent, StoredEvent } from './store/ledger';
import { isTemporalUnavailable } from './temporal/deadline';

/** Event workflows one batch starts at once: enough to be quick, few enough to spare Temporal. */
export const BATCH_START_CONCURRENCY = 20;

/** One item of a batch, as the gateway read it: an event (its id optional), or what is wrong with it. */
export type BatchItem = { event: Omit<NewEvent, 'id'> & { id?: string } } | { errors: FieldError[] };

/** What became of one item; field errors name the item's own fields (`tenantId`), the gateway adds its place. */
export type BatchItemResult =
  | { status: 202 | 200; event: StoredEvent }
  | { status: 400; errors: FieldError[] }
  | { status: 409; detail: string };

type Recordable = { index: number; event: NewEvent };

/**
 * Records a batch of events and starts their workflows, each item with publishEvent's rules:
 * idempotent on the event id (same content → 200, other content → 409), an unknown tenant is a
 * 400, and a bad item does not stop the others. The valid items are recorded in one transaction,
 * in order; the workflows are started after it commits, so a crash in between leaves events
 * `accepted` that the reconciler starts, and so does posting the batch again (each item still
 * `accepted` has its workflow started with 'first', as a single post would).
 *
 * A start that fails does not change an item's status: the event is recorded, which is what the
 * answer says. Temporal unreachable: logged, and the remaining starts are left to the reconciler
 * (each would only wait out its own deadline). Temporal refusing a start (not expected): logged as
 * an error, and the reconciler starts it, where a single post would answer 503.
 */
export async function publishEventBatch(deps: ServiceDeps & { logger: Logger }, items: BatchItem[]): Promise<BatchItemResult[]> {
  const results: (BatchItemResult | undefined)[] = items.map((item) => ('errors' in item ? { status: 400, errors: item.errors } : undefined));
  const candidates = items.flatMap((item, index): Recordable[] => ('event' in item ? [{ index, event: { ...item.event, id: item.event.id ?? newId.event() } }] : []));
  const tenants = await deps.ledger.existingTenantIds(candidates.flatMap((c) => (c.event.tenantId === null ? [] : [c.event.tenantId])));
  const recordable = candidates.filter(({ index, event }) => {
    if (event.tenantId === null || tenants.has(event.tenantId)) return true;
    results[index] = { status: 400, errors: [{ in: 'body', field: 'tenantId', message: `no tenant with id ${event.tenantId}` }] };
    return false;
  });
  const outcomes = await deps.ledger.insertEventBatch(recordable.map((r) => r.event));
  outcomes.forEach((outcome, k) => (results[recordable[k]!.index] = resultOf(outcome)));
  await startWorkflows(deps, toStart(outcomes));
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

async function startWorkflows(deps: ServiceDeps & { logger: Logger }, events: StoredEvent[]): Promise<void> {
  let unavailable = false;
  let skipped = 0;
  await mapWithConcurrency(events, BATCH_START_CONCURRENCY, async (event) => {
    if (unavailable) {
      skipped++;
      return;
    }
    try {
      await startEventWorkflow(deps, event, 'first');
    } catch (err) {
      if (!isTemporalUnavailable(err)) {
        deps.logger.error({ err, eventId: event.id }, 'Temporal refused the workflow of a recorded event; the reconciler will start it');
        return;
      }
      unavailable = true;
      skipped++;
    }
  });
  if (unavailable) {
    deps.logger.warn({ events: events.length, notStarted: skipped }, 'Temporal unavailable: batch recorded, the reconciler will start its events');
  }
}
