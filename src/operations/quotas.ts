import { QuotaExceededError } from '../model/errors';
import type { ServiceDeps } from './deps';
import type { Ledger } from '../store/ledger';
import type { CountedJob, OpenJob } from '../store/tenant-quotas';
import { describeState } from '../temporal/workflow-state';

/**
 * Quotas of tenant callers (tenant keys and portal sessions; the operator is exempt). Every count
 * is in the ledger, so all gateways share it. Each check runs before anything is written, and a
 * refusal is a QuotaExceededError (429 with Retry-After).
 */

/** A job gets this long to start its workflow before a missing workflow means it never will. */
const JOB_START_GRACE_MS = 30_000;
/** How soon to ask again when every job slot is taken: jobs run for seconds to minutes. */
const JOBS_RETRY_AFTER_S = 5;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Counts one API request of a tenant's caller against its requestsPerSecond. */
export async function takeRequest(ledger: Ledger, tenantId: string): Promise<void> {
  const { requestsPerSecond: max } = await ledger.quotas.limitsOf(tenantId);
  const waitMs = await ledger.quotas.takeWindowToken(tenantId, 'requestsPerSecond', max, 1000);
  if (waitMs !== undefined) throw new QuotaExceededError('requestsPerSecond', max, seconds(waitMs), `at most ${max} requests per second.`);
}

/** Counts one test event of a tenant's caller against its testEventsPerMinute. */
export async function takeTestEvent(ledger: Ledger, tenantId: string): Promise<void> {
  const { testEventsPerMinute: max } = await ledger.quotas.limitsOf(tenantId);
  const waitMs = await ledger.quotas.takeWindowToken(tenantId, 'testEventsPerMinute', max, 60_000);
  if (waitMs !== undefined) throw new QuotaExceededError('testEventsPerMinute', max, seconds(waitMs), `at most ${max} test events per minute.`);
}

/**
 * Runs `start` (which starts the job's workflow) as a job counted for its tenant. With `enforce` (a
 * tenant's caller) it is refused when concurrentJobs of the tenant's jobs still run; the operator's
 * jobs are counted but never refused. A job whose workflow cannot be started is not counted.
 */
export async function countedJob<T>(deps: ServiceDeps, job: Omit<CountedJob, 'tenantId'> & { tenantId: string | undefined }, enforce: boolean, start: () => Promise<T>): Promise<T> {
  if (job.tenantId === undefined) return start();
  await claimJob(deps, { ...job, tenantId: job.tenantId }, enforce);
  try {
    return await start();
  } catch (err) {
    await deps.ledger.quotas.dropJob(job.workflowId);
    throw err;
  }
}

/**
 * Records the job, or, at the limit, first ends the counted jobs whose workflows Temporal says are
 * closed (or never started), so a finished or crashed job never holds the quota, then tries once more.
 */
async function claimJob(deps: ServiceDeps, job: CountedJob, enforce: boolean): Promise<void> {
  const refused = await deps.ledger.quotas.claimJob(job, enforce);
  if (!refused) return;
  await deps.ledger.quotas.endJobs(await endedJobs(deps, refused.open));
  const again = await deps.ledger.quotas.claimJob(job, enforce);
  if (again) {
    throw new QuotaExceededError('concurrentJobs', again.max, JOBS_RETRY_AFTER_S, `${again.open.length} bulk retries or replays of the tenant are running; wait for one to end.`);
  }
}

/** The open jobs whose workflows have closed, or are missing well after they should have started. */
async function endedJobs({ client }: ServiceDeps, open: OpenJob[]): Promise<string[]> {
  const states = await Promise.all(open.map(async (j) => ({ job: j, state: await describeState(client, j.workflowId) })));
  const startedLongAgo = (j: OpenJob) => Date.parse(j.startedAt) < Date.now() - JOB_START_GRACE_MS;
  return states.filter(({ job, state }) => state.kind === 'closed' || (state.kind === 'missing' && startedLongAgo(job))).map(({ job }) => job.workflowId);
}
