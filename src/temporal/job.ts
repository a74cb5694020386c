import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { ConflictError, NotFoundError } from '../model/errors';

/** How a job workflow (a replay, a bulk retry) ended when it did not end by itself. */
const CLOSED_AS = { FAILED: 'failed', TERMINATED: 'terminated', CANCELLED: 'cancelled' } as const;
export type JobClosedAs = (typeof CLOSED_AS)[keyof typeof CLOSED_AS];

/**
 * A job's progress from its workflow's query (answered also after it has closed), with the
 * workflow's close status where that says more than the job's own state.
 */
export async function readJob<P extends { state: string }>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<P>,
  notFound: { kind: string; id: string },
): Promise<{ progress: P; status: P['state'] | JobClosedAs }> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const [description, progress] = await Promise.all([handle.describe(), handle.query(query)]);
    const status = CLOSED_AS[description.status.name as keyof typeof CLOSED_AS] ?? progress.state;
    return { progress, status };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(notFound.kind, notFound.id);
    throw err;
  }
}

/** Cancels a job that is still running and returns how it stood; one that has ended is a conflict. */
export async function cancelJob<V extends { status: string }>(client: Client, workflowId: string, job: V, name: string): Promise<V> {
  if (job.status !== 'running') throw new ConflictError(`${name} has already ${job.status}.`);
  await client.workflow.getHandle(workflowId).cancel();
  return job;
}
