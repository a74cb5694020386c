import { deliveryWorkflowId, eventWorkflowId, type ReconcileKind, type ReconcileProgress } from '../contract';
import { requeueDelivery } from './fifo-queues';
import { startDeliveryRun } from './deliveries';
import { startEventWorkflow } from '../temporal/event-workflow';
import { heldByOwner, type Repair, repairDelivery, repairEvent } from '../delivery/reconcile-rules';
import type { ServiceDeps } from './deps';
import type { StaleDelivery } from '../store/recovery';
import { workflowStates } from '../temporal/workflow-state';

/** Rows read per page; Temporal is asked about at most this many workflow ids at once. */
const PAGE_SIZE = 100;

export interface ReconcilePage extends ReconcileProgress {
  /** Cursor for the next page of the kind last read, or null when that kind is done. */
  next: string | null;
  /** Where the sweep goes on (the deliveries follow the events), or null when it is done. */
  continueWith: { kind: ReconcileKind; after: string | null } | null;
}

const zero = (): ReconcileProgress => ({ examined: 0, eventsStarted: 0, eventsEnded: 0, deliveriesStarted: 0, deliveriesEnded: 0 });

/**
 * One page of the reconciler's sweep: rows unchanged for longer than `graceMs` in a state a
 * workflow should be moving them out of, each compared with its workflow in Temporal and started
 * or ended (reconcile-rules.ts decides which). Safe to run twice: every start is refused by
 * Temporal while a run of that id is open, and every ledger write is compare-and-set.
 */
export async function reconcilePage(deps: ServiceDeps, kind: ReconcileKind, after: string | null, graceMs: number, bothKinds = false): Promise<ReconcilePage> {
  const cutoff = new Date(Date.now() - graceMs).toISOString();
  if (kind === 'deliveries') return withContinuation('deliveries', await reconcileDeliveries(deps, cutoff, after));
  const events = await reconcileEvents(deps, cutoff, after);
  // The events done, the first page of deliveries in the same call: an idle sweep is one activity.
  if (events.next !== null || !bothKinds) return withContinuation('events', events);
  const deliveries = await reconcileDeliveries(deps, cutoff, null);
  return withContinuation('deliveries', { ...sumOf(events, deliveries), next: deliveries.next });
}

function withContinuation(kind: ReconcileKind, page: ReconcileProgress & { next: string | null }): ReconcilePage {
  if (page.next !== null) return { ...page, continueWith: { kind, after: page.next } };
  return { ...page, continueWith: kind === 'events' ? { kind: 'deliveries', after: null } : null };
}

const sumOf = (a: ReconcileProgress, b: ReconcileProgress): ReconcileProgress => ({
  examined: a.examined + b.examined,
  eventsStarted: a.eventsStarted + b.eventsStarted,
  eventsEnded: a.eventsEnded + b.eventsEnded,
  deliveriesStarted: a.deliveriesStarted + b.deliveriesStarted,
  deliveriesEnded: a.deliveriesEnded + b.deliveriesEnded,
});

type KindPage = ReconcileProgress & { next: string | null };

async function reconcileEvents(deps: ServiceDeps, cutoff: string, after: string | null): Promise<KindPage> {
  const events = await deps.ledger.recovery.staleEvents(cutoff, after, PAGE_SIZE);
  const states = await workflowStates(deps.client, events.map((e) => eventWorkflowId(e.id)));
  const counts = { ...zero(), examined: events.length };
  for (const event of events) {
    const repair = repairEvent(states.get(eventWorkflowId(event.id))!);
    if (repair.action === 'start' && (await startEventWorkflow(deps, event, 'again'))) counts.eventsStarted++;
    if (repair.action === 'end' && (await deps.ledger.recovery.cancelAcceptedEvent(event.id))) counts.eventsEnded++;
  }
  return { ...counts, next: events.length === PAGE_SIZE ? events[events.length - 1]!.id : null };
}

async function reconcileDeliveries(deps: ServiceDeps, cutoff: string, after: string | null): Promise<KindPage> {
  const rows = await deps.ledger.recovery.staleDeliveries(cutoff, after, PAGE_SIZE);
  // A pending delivery whose event or replay workflow still runs is that workflow's to start.
  const owners = await workflowStates(deps.client, rows.flatMap((d) => (d.status === 'pending' && d.owner ? [d.owner] : [])));
  const orphans = rows.filter((d) => !heldByOwner(d, d.owner === null ? undefined : owners.get(d.owner)));
  const states = await workflowStates(deps.client, orphans.map(workflowIdOf));
  const counts = { ...zero(), examined: rows.length };
  for (const delivery of orphans) {
    const repair = repairDelivery(delivery, states.get(workflowIdOf(delivery))!);
    const outcome = await applyDeliveryRepair(deps, delivery, repair);
    if (outcome === 'started') counts.deliveriesStarted++;
    if (outcome === 'ended') counts.deliveriesEnded++;
  }
  return { ...counts, next: rows.length === PAGE_SIZE ? rows[rows.length - 1]!.id : null };
}

const workflowIdOf = (d: StaleDelivery) => deliveryWorkflowId(d.eventId, d.subscriptionId);

async function applyDeliveryRepair(deps: ServiceDeps, delivery: StaleDelivery, repair: Repair): Promise<'started' | 'ended' | 'none'> {
  if (repair.action === 'none') return 'none';
  if (repair.action === 'end') {
    await deps.ledger.deliveries.end(delivery.id, repair.status, repair.reason);
    return 'ended';
  }
  const target = await deps.ledger.deliveries.target(delivery.id);
  if (!target) return 'none';
  if (!target.subscriptionActive) {
    await deps.ledger.deliveries.end(delivery.id, 'failed', 'subscription disabled or deleted');
    return 'ended';
  }
  // Only if nobody moved it meanwhile; the reopen also closes attempts its lost run left open. A
  // FIFO delivery goes back to its queue: starting it here would jump the queue.
  if (target.fifo) return (await requeueDelivery(deps, delivery, delivery.status)) ? 'started' : 'none';
  if (!(await deps.ledger.deliveries.reopen(delivery.id, [delivery.status]))) return 'none';
  return (await startDeliveryRun(deps, target, target.delivery.attemptCount)) ? 'started' : 'none';
}
