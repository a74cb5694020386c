/** What the workflows take and return, and the progress their queries report. */

export interface EventWorkflowInput {
  eventId: string;
  eventType: string;
  /**
   * Record the fan-out in a local activity. Every new start sets it; histories written before
   * lack it and replay the regular activity (versioning by input: see the rule in docs/reliability.md).
   */
  recordFanOutLocally?: boolean;
}

/** One fan-out shard: the event's deliveries to subscriptions with ids in (after, upTo]. */
export interface FanOutShardInput extends EventWorkflowInput {
  after: string | null;
  upTo: string;
}

export interface EventWorkflowResult {
  deliveries: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** A delivery's subscription settings, captured when the delivery (or a re-run of it) starts. */
export interface DeliveryPlan {
  deliveryId: string;
  subscriptionId: string;
  /** The subscription's tenant. Absent in plans recorded before tenants existed. */
  tenantId?: string;
  /** The delivery's sequence number for its subscription. Absent in plans recorded before sequences. */
  sequence?: number;
  /** Origin and path of the receiver, for people reading the Web UI. */
  displayUrl: string;
  /** Delay in ms before each attempt; its length is the number of attempts. */
  retrySchedule: number[];
  timeoutMs: number;
  /** How long a receiver has to confirm an attempt; null when no confirmation is needed. */
  confirmationTimeoutMs: number | null;
}

export interface DeliveryWorkflowInput extends DeliveryPlan {
  eventId: string;
  eventType: string;
  /** Attempts already made by earlier runs, so numbers continue across a manual retry. */
  attemptOffset: number;
  /**
   * Make the run's first attempt in a local activity. Runs started from issue 12 to issue 17 set it
   * and replay that path; new runs leave it out, since a local attempt holds a workflow task slot
   * for as long as its receiver hangs (docs/reliability.md, 'Fair use').
   */
  firstAttemptLocally?: boolean;
}

export interface DeliverResult {
  attempt: number;
  statusCode: number;
  durationMs: number;
  /** True when the receiver answered 2xx and now has to confirm. */
  awaitingConfirmation?: boolean;
}

/** What a delivery workflow is doing, as its `status` query reports it. */
export interface DeliveryProgress {
  state: 'delivering' | 'awaiting_confirmation' | 'waiting_to_retry' | 'succeeded' | 'failed' | 'cancelled';
  /** Number of the latest attempt known to the workflow (attempts retried inside one activity show up when it ends). */
  attempt: number;
  confirmationDeadline: string | null;
  nextAttemptAt: string | null;
}

export interface ReplayWorkflowInput {
  replayId: string;
  subscriptionId: string;
  since: string;
  until: string;
  /** At most this many events are re-delivered. */
  limit: number;
}

export interface ReplayProgress {
  state: 'running' | 'completed' | 'cancelled';
  /** Events of the window that match the subscription, so far. */
  matched: number;
  started: number;
  /** Deliveries still running elsewhere, left alone. */
  skipped: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export type ReconcileKind = 'events' | 'deliveries';

/** Where a reconcile run has got to; carried across continue-as-new. */
export interface ReconcileInput {
  kind?: ReconcileKind;
  after?: string | null;
  progress?: ReconcileProgress;
}

export interface ReconcileProgress {
  /** Rows looked at: events left accepted and deliveries not ended, past the grace period. */
  examined: number;
  /** Events whose workflow was started because none had been. */
  eventsStarted: number;
  /** Events whose workflow was stopped before the fan-out (cancelled or terminated): marked cancelled. */
  eventsEnded: number;
  /** Deliveries whose workflow was (re)started. */
  deliveriesStarted: number;
  /** Deliveries whose workflow had closed without recording an end: ended in the ledger. */
  deliveriesEnded: number;
}

/** Which deliveries a bulk retry runs again. */
export interface BulkRetryFilter {
  /** Only this tenant's deliveries; always set when a tenant started the job. */
  tenantId?: string;
  subscriptionId?: string;
  eventId?: string;
  status: 'failed' | 'cancelled';
  since?: string;
  until?: string;
  limit: number;
}

export interface BulkRetryInput {
  jobId: string;
  filter: BulkRetryFilter;
}

export interface BulkRetryProgress {
  state: 'running' | 'completed' | 'cancelled';
  matched: number;
  started: number;
  skipped: number;
  /** The first few skipped deliveries and why (bounded, to keep the workflow's state small). */
  skippedSample: { id: string; reason: string }[];
}

/** A FIFO subscription's queue workflow: it runs the subscription's deliveries one at a time. */
export interface FifoQueueInput {
  subscriptionId: string;
  /** Deliveries run by earlier runs of this queue (before it continued as new). */
  delivered?: number;
}

export interface FifoQueueResult {
  delivered: number;
}

/** A queued delivery, as the queue starts it. */
export interface QueuedDelivery extends DeliveryPlan {
  eventId: string;
  eventType: string;
  attemptOffset: number;
}

/** The purge's steps: payloads past retention, then whole records past record retention. */
export type PurgePhase = 'payloads' | 'records';

/** Where a purge run has got to; carried across continue-as-new. */
export interface PurgeInput {
  phase?: PurgePhase;
  /** Which retention scope of the phase (the default one first, then each tenant with its own). */
  scope?: number;
  after?: { createdAt: string; id: string } | null;
  progress?: PurgeProgress;
}

export interface PurgeProgress {
  /** Ended events looked at. */
  examined: number;
  /** Events whose payload (and attempts' response bodies) were removed. */
  payloadsRemoved: number;
  /** Events deleted with their deliveries and attempts. */
  eventsDeleted: number;
}

/** One page of the purge, and where it goes on (null: done). */
export interface PurgePage extends PurgeProgress {
  continueWith: Required<Pick<PurgeInput, 'phase' | 'scope' | 'after'>> | null;
}
