import { Context } from '@temporalio/activity';
import { type RetryPageResult, retryPage } from '../src/operations/retries';
import { purgePage } from '../src/operations/purge';
import { type ReconcilePage, reconcilePage } from '../src/operations/reconcile';
import type { ServiceDeps } from '../src/operations/deps';
import type { FinishedJob } from '../src/store/operational-events';
import type { BulkRetryFilter, PurgeInput, PurgePage, ReconcileKind } from '../src/contract';
import { syncFairnessWeights } from '../src/temporal/fairness-weights';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

/** The activities of the bulk retry and reconcile workflows. */
export function createJobActivities({ ledger, logger, reconcileGraceMs, metrics, retention }: ActivityDeps) {
  // Jobs start workflows themselves, with the worker's own client, on the worker's task queue.
  const serviceDeps = (): ServiceDeps => {
    const { client, info } = Context.current();
    return { ledger, client, taskQueue: info.taskQueue };
  };

  /** Each sweep starts by bringing Temporal's fairness weights to the ledger's (best effort). */
  const syncWeights = async () => {
    const deps = serviceDeps();
    await syncFairnessWeights(deps, await ledger.tenants.fairnessWeights()).then(
      ({ changed }) => changed > 0 && logger.warn({ changed }, "reconciler: Temporal's fairness weights brought to the ledger's"),
      (err: unknown) => logger.warn({ err }, "reconciler: could not sync Temporal's fairness weights"),
    );
  };

  return {
    /** One page of the reconciler's sweep (src/reconcile.ts). */
    async reconcilePage(input: { kind: ReconcileKind; after: string | null; bothKinds?: boolean }): Promise<ReconcilePage> {
      if (input.kind === 'events' && input.after === null) await syncWeights();
      const page = await withHeartbeat(() => reconcilePage(serviceDeps(), input.kind, input.after, reconcileGraceMs, input.bothKinds));
      if (page.eventsStarted + page.eventsEnded + page.deliveriesStarted + page.deliveriesEnded > 0) {
        logger.warn({ ...page, kind: input.kind }, 'reconciler repaired stranded work');
        // Counted as the page returns: what a run lost mid-page repaired, its retry finds done (uncounted, never twice).
        metrics?.repaired('event_started', page.eventsStarted);
        metrics?.repaired('event_ended', page.eventsEnded);
        metrics?.repaired('delivery_started', page.deliveriesStarted);
        metrics?.repaired('delivery_ended', page.deliveriesEnded);
      }
      return page;
    },

    /** One page of the purge (src/purge.ts); a worker not told the retention keeps everything. */
    async purgePage(input: PurgeInput): Promise<PurgePage> {
      if (!retention) return { examined: 0, payloadsRemoved: 0, eventsDeleted: 0, continueWith: null };
      const page = await withHeartbeat(() => purgePage(ledger, retention, input));
      if (page.payloadsRemoved + page.eventsDeleted > 0) logger.info({ ...page, continueWith: undefined }, 'purge: retention applied');
      return page;
    },

    /** Tells a bulk retry or replay finished, as an operational event of its tenant (a replay's: its subscription's). */
    async tellJobFinished(input: Omit<FinishedJob, 'tenantId'> & { tenantId?: string; subscriptionId?: string }): Promise<void> {
      const owner = input.subscriptionId === undefined ? undefined : await ledger.subscriptions.get(input.subscriptionId);
      const tenantId = input.tenantId ?? owner?.tenantId ?? null;
      ledger.observer.eventsRecorded(await ledger.operational.jobFinished(ledger.db, { ...input, tenantId }));
    },

    /** One page of a bulk retry (src/bulk-retry.ts). */
    async retryPage(input: { filter: BulkRetryFilter; after: { createdAt: string; id: string } | null; size: number }): Promise<RetryPageResult> {
      return withHeartbeat((beat) => retryPage(serviceDeps(), input.filter, input.after, input.size, beat));
    },
  };
}
