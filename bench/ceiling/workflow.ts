// The least a delivery could be in Temporal, run by the bench's bare worker beside the product on
// the same server: a workflow that runs one activity (the ceiling phase), and the product's shape
// without the product (a parent that starts one child per subscriber, each child one activity).
import { executeChild, proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export async function ceilingWorkflow(): Promise<void> {
  await noop();
}

/** The shape of one event: `children` child workflows, each running one no-op activity. */
export async function bareEventWorkflow(children: number): Promise<void> {
  await Promise.all(Array.from({ length: children }, () => executeChild(ceilingWorkflow)));
}
