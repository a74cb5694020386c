export { deliveryWorkflow } from './delivery';
export { eventWorkflow } from './event';
