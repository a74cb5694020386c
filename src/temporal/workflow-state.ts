import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { CloseStatus, WorkflowState } from '../delivery/reconcile-rules';

/**
 * The state of the latest run of each workflow id. One visibility query finds the running ones;
 * only the rest are described one by one. Visibility may lag: a run it misses is described, and
 * one it still lists as running after closing is simply looked at again next time.
 */
export async function workflowStates(client: Client, workflowIds: string[]): Promise<Map<string, WorkflowState>> {
  const states = new Map<string, WorkflowState>();
  const unique = [...new Set(workflowIds)];
  if (unique.length === 0) return states;
  // Ids hold only letters, digits and _ . : - (the API validates them), so quoting is safe.
  const query = `WorkflowId IN (${unique.map((id) => `"${id}"`).join(', ')}) AND ExecutionStatus = "Running"`;
  for await (const execution of client.workflow.list({ query })) states.set(execution.workflowId, { kind: 'running' });
  for (const id of unique) {
    if (!states.has(id)) states.set(id, await describeState(client, id));
  }
  return states;
}

/** One workflow id's latest run, described (never from visibility, which may lag). */
export async function describeState(client: Client, workflowId: string): Promise<WorkflowState> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name === 'RUNNING') return { kind: 'running' };
    return { kind: 'closed', status: description.status.name as CloseStatus, startedAt: description.startTime.toISOString() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { kind: 'missing' };
    throw err;
  }
}
