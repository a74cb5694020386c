/** Signals and queries: what the gateway asks of, or tells, a running workflow. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BulkRetryInput, BulkRetryProgress, DeliveryProgress, PurgePhase, PurgeProgress, ReconcileKind, ReconcileProgress, ReplayProgress, ReplayWorkflowInput } from './inputs';

export const deliveryStatusQuery = defineQuery<DeliveryProgress>('status');
/** Sent by the gateway when a receiver confirms attempt `attempt` through its webhook-confirm-url. */
export const confirmSignal = defineSignal<[{ attempt: number }]>('confirm');

/** The replay's input and progress so far, answered also after it has closed. */
export const replayProgressQuery = defineQuery<ReplayWorkflowInput & ReplayProgress>('progress');

export const reconcileProgressQuery = defineQuery<ReconcileProgress & { kind: ReconcileKind }>('progress');
export const purgeProgressQuery = defineQuery<PurgeProgress & { phase: PurgePhase }>('progress');

export const bulkRetryProgressQuery = defineQuery<BulkRetryInput & BulkRetryProgress>('progress');

/** Tells a FIFO queue that deliveries joined it (a fan-out, a retry, a replay); it starts if it is not running. */
export const queueWakeSignal = defineSignal('wake');
