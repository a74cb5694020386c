/**
 * Names both sides agree on: the gateway and worker import them, and so do the workflows.
 * Deterministic code only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const WebhookEventId = defineSearchAttributeKey('WebhookEventId', SearchAttributeType.KEYWORD);
export const WebhookEventType = defineSearchAttributeKey('WebhookEventType', SearchAttributeType.KEYWORD);
export const WebhookSubscriptionId = defineSearchAttributeKey('WebhookSubscriptionId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [WebhookEventId, WebhookEventType, WebhookSubscriptionId] as const;

/** The event workflow's id: one per event id, which is what makes posting an event idempotent. */
export const eventWorkflowId = (eventId: string) => `event:${eventId}`;

/** One delivery workflow per (event, subscription); subscription ids hold no ':' so this is unambiguous. */
export const deliveryWorkflowId = (eventId: string, subscriptionId: string) => `delivery:${eventId}:${subscriptionId}`;

export const replayWorkflowId = (replayId: string) => `replay:${replayId}`;

export const fanOutShardWorkflowId = (eventId: string, index: number) => `fanout:${eventId}:${index}`;

/**
 * Activities that can run longer than a few seconds heartbeat (activities/heartbeat.ts): a
 * worker killed in the middle of one is noticed after this long, not after its whole timeout.
 */
export const HEARTBEAT_TIMEOUT = '15s';

/** The longest HTTP timeout a subscription may set; the deliver activity's own timeout covers it. */
export const MAX_ATTEMPT_TIMEOUT_MS = 30_000;

/** Failure types the activities throw; the workflows' retry policies and error handling key on them. */
export const FailureType = {
  /** An HTTP attempt failed; retryable until the schedule runs out. */
  AttemptFailed: 'AttemptFailed',
  /** The receiver answered 410 Gone: no more attempts, the subscription is disabled. */
  EndpointGone: 'EndpointGone',
  /** The subscription was deleted or disabled before the attempt. */
  SubscriptionInactive: 'SubscriptionInactive',
  /** The delivery had already been ended (e.g. cancelled) when the attempt came up. */
  DeliveryEnded: 'DeliveryEnded',
  /** The last attempt was not confirmed in time. */
  NotConfirmed: 'NotConfirmed',
  /** The endpoint is at its concurrency or rate limit: retried soon, not counted as an attempt. */
  Throttled: 'Throttled',
} as const;

export interface EventWorkflowInput {
  eventId: string;
  eventType: string;
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

export const deliveryStatusQuery = defineQuery<DeliveryProgress>('status');
/** Sent by the gateway when a receiver confirms attempt `attempt` through its webhook-confirm-url. */
export const confirmSignal = defineSignal<[{ attempt: number }]>('confirm');

/**
 * Start options shared by the event workflow (starting a child) and the gateway (re-running a
 * delivery), so every run of a delivery looks the same in the Web UI and in list queries.
 */
export function deliveryStartOptions(eventId: string, eventType: string, plan: DeliveryPlan, attemptOffset: number) {
  const input: DeliveryWorkflowInput = { ...plan, eventId, eventType, attemptOffset };
  return {
    workflowId: deliveryWorkflowId(eventId, plan.subscriptionId),
    args: [input] as [DeliveryWorkflowInput],
    typedSearchAttributes: [
      { key: WebhookEventId, value: eventId },
      { key: WebhookEventType, value: eventType },
      { key: WebhookSubscriptionId, value: plan.subscriptionId },
    ],
    memo: { eventType, subscriptionUrl: plan.displayUrl },
    staticSummary: `${eventType} → ${plan.displayUrl}`,
    staticDetails: `Event \`${eventId}\` to subscription \`${plan.subscriptionId}\`, ${plan.retrySchedule.length} attempts at most${
      plan.confirmationTimeoutMs === null ? '' : `, each confirmed within ${plan.confirmationTimeoutMs} ms`
    }.`,
  };
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

/** The replay's input and progress so far, answered also after it has closed. */
export const replayProgressQuery = defineQuery<ReplayWorkflowInput & ReplayProgress>('progress');

/** The Temporal Schedule that runs the reconcile workflow; one per namespace and task queue. */
export const reconcileScheduleId = (taskQueue: string) => `webhook-reconciler:${taskQueue}`;

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

export const reconcileProgressQuery = defineQuery<ReconcileProgress & { kind: ReconcileKind }>('progress');

export const bulkRetryWorkflowId = (jobId: string) => `retry:${jobId}`;

/** Which deliveries a bulk retry runs again. */
export interface BulkRetryFilter {
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

export const bulkRetryProgressQuery = defineQuery<BulkRetryInput & BulkRetryProgress>('progress');
