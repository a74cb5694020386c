export { deliveryWorkflow } from './delivery';
export { eventWorkflow } from './event';
export { fanOutShardWorkflow } from './fan-out-shard';
export { replayWorkflow } from './replay';
export { bulkRetryWorkflow } from './bulk-retry';
export { reconcileWorkflow } from './reconcile';
export { fifoQueueWorkflow } from './fifo-queue';
export { purgeWorkflow } from './purge';
