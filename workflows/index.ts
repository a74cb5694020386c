export { deliveryWorkflow } from './delivery';
export { eventWorkflow } from './event';
export { replayWorkflow } from './replay';
