import { continueAsNew, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { HEARTBEAT_TIMEOUT, type PurgeInput, type PurgeProgress, purgeProgressQuery } from '../src/contract';

const { purgePage } = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  // A purge that cannot get through (the ledger away) fails; the next tick starts afresh.
  retry: { maximumInterval: '30s', maximumAttempts: 10 },
});

/** Pages per run before continuing as new, which keeps the history short for any number of rows. */
const PAGES_PER_RUN = 100;

const summary = (p: PurgeProgress, phase: string) =>
  `${phase}: ${p.examined} ended events examined; ${p.payloadsRemoved} payloads removed; ${p.eventsDeleted} events deleted`;

/**
 * One purge, run by a Temporal Schedule: the payloads of ended events past their retention go,
 * then whole records past record retention, page by page. The Web UI shows its progress in the
 * workflow's current details; the `progress` query too.
 */
export async function purgeWorkflow(input: PurgeInput = {}): Promise<PurgeProgress> {
  const progress: PurgeProgress = { examined: 0, payloadsRemoved: 0, eventsDeleted: 0, ...input.progress };
  let at = { phase: input.phase ?? 'payloads', scope: input.scope ?? 0, after: input.after ?? null };
  setHandler(purgeProgressQuery, () => ({ ...progress, phase: at.phase }));
  for (let pages = 0; ; pages++) {
    if (pages >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof purgeWorkflow>({ ...at, progress });
    }
    const { continueWith, ...page } = await purgePage(at);
    progress.examined += page.examined;
    progress.payloadsRemoved += page.payloadsRemoved;
    progress.eventsDeleted += page.eventsDeleted;
    setCurrentDetails(summary(progress, continueWith?.phase ?? 'done'));
    if (continueWith === null) return progress;
    at = continueWith;
  }
}
