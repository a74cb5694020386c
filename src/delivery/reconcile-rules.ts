/**
 * What the reconciler does with an event or delivery that the ledger says is unfinished, given
 * what Temporal says about its workflow. Pure: the table in test/delivery/reconcile-rules.test.ts is the spec.
 */
import type { DeliveryStatus } from './status';

export type CloseStatus = 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW';

/** The latest run of a workflow id, as Temporal describes it. */
export type WorkflowState =
  | { kind: 'missing' }
  | { kind: 'running' }
  | { kind: 'closed'; status: CloseStatus; startedAt: string };

export type Repair =
  | { action: 'none' }
  | { action: 'start' }
  | { action: 'end'; status: 'failed' | 'cancelled'; reason: string };

const NONE: Repair = { action: 'none' };
const START: Repair = { action: 'start' };

/** A run closed by someone on purpose: what it recorded stands, and it is not started again. */
const STOPPED_ON_PURPOSE: CloseStatus[] = ['CANCELLED', 'TERMINATED'];

/** An event still `accepted`: its workflow never recorded the fan-out. */
export function repairEvent(workflow: WorkflowState): Repair {
  if (workflow.kind === 'missing') return START;
  if (workflow.kind === 'running') return NONE;
  if (STOPPED_ON_PURPOSE.includes(workflow.status)) {
    return { action: 'end', status: 'cancelled', reason: `event workflow ${workflow.status.toLowerCase()} before its fan-out` };
  }
  return START; // failed or timed out before the fan-out: nothing was sent yet, so run it again
}

export interface OpenDelivery {
  status: DeliveryStatus;
  /** When the ledger row last changed: for a pending delivery, when it was created or reopened. */
  updatedAt: string;
}

/**
 * A pending delivery whose owner (the event or replay workflow that is to start it) still runs
 * is that workflow's to start: the reconciler leaves it alone without asking about its own run.
 */
export function heldByOwner(delivery: Pick<OpenDelivery, 'status'>, owner: WorkflowState | undefined): boolean {
  return delivery.status === 'pending' && owner?.kind === 'running';
}

/** A delivery that is pending, delivering or awaiting confirmation, and not held by its owner. */
export function repairDelivery(delivery: OpenDelivery, workflow: WorkflowState): Repair {
  if (workflow.kind === 'running') return NONE;
  if (workflow.kind === 'missing') return START;
  // Reopened after its latest run started: the new run's start was lost (a crash, Temporal away).
  if (delivery.status === 'pending' && workflow.startedAt < delivery.updatedAt) return START;
  if (workflow.status === 'CANCELLED') return { action: 'end', status: 'cancelled', reason: 'cancelled' };
  return { action: 'end', status: 'failed', reason: `its workflow ${describeClose(workflow.status)} without recording an end` };
}

function describeClose(status: CloseStatus): string {
  return status === 'TIMED_OUT' ? 'timed out' : status === 'CONTINUED_AS_NEW' ? 'continued as new' : status.toLowerCase();
}
