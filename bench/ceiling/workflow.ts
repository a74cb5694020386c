// The least a delivery could be in Temporal: a workflow that runs one activity. The Temporal
// ceiling phase runs it to show what the server itself allows on this machine.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export async function ceilingWorkflow(): Promise<void> {
  await noop();
}
