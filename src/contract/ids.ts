/** Workflow and schedule ids: each names one thing, which is what makes starting it idempotent. */
/** The event workflow's id: one per event id, which is what makes posting an event idempotent. */
export const eventWorkflowId = (eventId: string) => `event:${eventId}`;

/** One delivery workflow per (event, subscription); subscription ids hold no ':' so this is unambiguous. */
export const deliveryWorkflowId = (eventId: string, subscriptionId: string) => `delivery:${eventId}:${subscriptionId}`;

export const replayWorkflowId = (replayId: string) => `replay:${replayId}`;

export const fanOutShardWorkflowId = (eventId: string, index: number) => `fanout:${eventId}:${index}`;

export const bulkRetryWorkflowId = (jobId: string) => `retry:${jobId}`;

/** The Temporal Schedule that runs the reconcile workflow; one per namespace and task queue. */
export const reconcileScheduleId = (taskQueue: string) => `webhook-reconciler:${taskQueue}`;

/** The Temporal Schedule that runs the purge workflow (retention); one per namespace and task queue. */
export const purgeScheduleId = (taskQueue: string) => `webhook-purge:${taskQueue}`;

/** A FIFO subscription's queue: the one workflow that runs its deliveries, one at a time, in sequence order. */
export const fifoQueueWorkflowId = (subscriptionId: string) => `fifo:${subscriptionId}`;
