import type {
  BulkRetryInput,
  BulkRetryProgress,
  DeliverResult,
  DeliveryWorkflowInput,
  EventWorkflowInput,
  EventWorkflowResult,
  FanOutShardInput,
  FifoQueueInput,
  FifoQueueResult,
  PurgeInput,
  PurgeProgress,
  ReconcileInput,
  ReconcileProgress,
  ReplayProgress,
  ReplayWorkflowInput,
} from './inputs';

/**
 * The workflow types by name, with what they take and return: clients start them through these
 * (`client.workflow.start<WorkflowTypes['eventWorkflow']>('eventWorkflow', …)`) without importing
 * workflows/, and a test checks that workflows/ implements each one.
 */
export interface WorkflowTypes {
  eventWorkflow(input: EventWorkflowInput): Promise<EventWorkflowResult>;
  fanOutShardWorkflow(input: FanOutShardInput): Promise<EventWorkflowResult>;
  deliveryWorkflow(input: DeliveryWorkflowInput): Promise<DeliverResult>;
  replayWorkflow(input: ReplayWorkflowInput): Promise<ReplayProgress>;
  bulkRetryWorkflow(input: BulkRetryInput): Promise<BulkRetryProgress>;
  reconcileWorkflow(input?: ReconcileInput): Promise<ReconcileProgress>;
  fifoQueueWorkflow(input: FifoQueueInput): Promise<FifoQueueResult>;
  purgeWorkflow(input?: PurgeInput): Promise<PurgeProgress>;
}
