import { continueAsNew, patched, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  HEARTBEAT_TIMEOUT,
  type ReconcileInput,
  type ReconcileKind,
  type ReconcileProgress,
  reconcileProgressQuery,
} from '../src/contract';

const { reconcilePage } = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  // A sweep that cannot get through (Temporal or the ledger away) fails; the next tick starts afresh.
  retry: { maximumInterval: '30s', maximumAttempts: 10 },
});

/** Patch id: an idle sweep reads events and the first deliveries page in one activity (one Action less). */
const RECONCILE_KINDS_IN_ONE_CALL = 'reconcile-kinds-in-one-call';

/** Pages per run before continuing as new, which keeps the history short for any number of rows. */
const PAGES_PER_RUN = 100;

const add = (total: ReconcileProgress, page: ReconcileProgress) => {
  total.examined += page.examined;
  total.eventsStarted += page.eventsStarted;
  total.eventsEnded += page.eventsEnded;
  total.deliveriesStarted += page.deliveriesStarted;
  total.deliveriesEnded += page.deliveriesEnded;
};

const summary = (p: ReconcileProgress, kind: ReconcileKind) =>
  `${kind}: ${p.examined} examined; started ${p.eventsStarted} events and ${p.deliveriesStarted} deliveries; ` +
  `ended ${p.eventsEnded} events and ${p.deliveriesEnded} deliveries`;

/**
 * One sweep of the reconciler, run by a Temporal Schedule: events left `accepted` and deliveries
 * left open with no workflow driving them are started or ended, page by page (events first).
 * The Web UI shows its progress in the workflow's current details; the `progress` query too.
 */
export async function reconcileWorkflow(input: ReconcileInput = {}): Promise<ReconcileProgress> {
  const progress: ReconcileProgress = { examined: 0, eventsStarted: 0, eventsEnded: 0, deliveriesStarted: 0, deliveriesEnded: 0, ...input.progress };
  let kind: ReconcileKind = input.kind ?? 'events';
  let after = input.after ?? null;
  setHandler(reconcileProgressQuery, () => ({ ...progress, kind }));
  // Runs started before this patch read the events and the deliveries in separate activities.
  const bothKinds = patched(RECONCILE_KINDS_IN_ONE_CALL);
  for (let pages = 0; ; pages++) {
    if (pages >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof reconcileWorkflow>({ kind, after, progress });
    }
    const { next, continueWith, ...page } = await reconcilePage({ kind, after, ...(bothKinds && { bothKinds }) });
    add(progress, page);
    setCurrentDetails(summary(progress, continueWith?.kind ?? kind));
    // An activity worker older than the patch returns no continueWith: then the old steps apply.
    if (bothKinds && continueWith !== undefined) {
      if (continueWith === null) return progress;
      ({ kind, after } = continueWith);
    } else if (next !== null) {
      after = next;
    } else if (kind === 'events') {
      kind = 'deliveries';
      after = null;
    } else {
      return progress;
    }
  }
}
