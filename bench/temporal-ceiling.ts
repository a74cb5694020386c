// Temporal ceiling phase of `npm run bench`: on the same dev server, a workflow with one no-op
// activity (the least any design with a workflow per delivery needs), started and awaited as fast
// as the server takes them, by a bare in-process worker. Its rate bounds what any delivery
// workflow can reach on this machine, whatever the product code does.
import { NativeConnection, Worker } from '@temporalio/worker';
import { phaseWindow, type PhaseResult } from './measure';
import { round } from './report';
import type { Stack } from './stack';

export interface TemporalCeilingResult {
  workflows: number;
  workflowsPerSecond: number;
  cpu: PhaseResult['cpu'];
}

/**
 * Bare workers on the stack's server, polling a task queue of their own, for the workflows in
 * bench/ceiling/: one connection, a fresh Worker per phase (a Worker runs once).
 */
export async function bareWorker(stack: Stack): Promise<{ worker: () => Promise<Worker>; taskQueue: string; close: () => Promise<void> }> {
  const taskQueue = `bare-${process.pid}`;
  const connection = await NativeConnection.connect({ address: stack.address });
  const worker = () =>
    Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('./ceiling/workflow'),
      activities: { noop: async () => undefined },
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 200,
    });
  return { worker, taskQueue, close: () => connection.close() };
}

export async function temporalCeiling(stack: Stack, total: number, concurrency: number): Promise<TemporalCeilingResult> {
  const bare = await bareWorker(stack);
  try {
    return await (await bare.worker()).runUntil(async () => {
      const usage = await phaseWindow(stack);
      const started = performance.now();
      let next = 0;
      const lane = async () => {
        while (next < total) {
          const i = next++;
          await stack.client.workflow.execute('ceilingWorkflow', { taskQueue: bare.taskQueue, workflowId: `ceiling-${i}`, args: [] });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      const seconds = (performance.now() - started) / 1000;
      return { workflows: total, workflowsPerSecond: round(total / seconds), cpu: (await usage(total)).cpu };
    });
  } finally {
    await bare.close();
  }
}
