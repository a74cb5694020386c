import type { WebhookDispatcher } from '../src/http/webhook-dispatcher';
import type { Logger } from '../src/core/logger';
import type { WorkerMetrics } from '../src/metrics';
import type { RetentionSettings } from '../src/operations/purge';
import type { Ledger } from '../src/store/ledger';

export interface ActivityDeps {
  ledger: Ledger;
  /** How attempts leave: the address-checked pool, or the proxy (WEBHOOK_PROXY_URL). */
  dispatcher: WebhookDispatcher;
  logger: Logger;
  /** Where confirmation URLs point (the gateway) and the key that signs them. */
  confirmation: { baseUrl: string; key: Buffer };
  /** Endpoint health: a subscription failing this long is disabled. */
  disableAfterMs: number;
  /** Deliveries a shard workflow loads per activity call. */
  fanOutPageSize?: number;
  /** Deliveries per fan-out shard workflow. */
  fanOutShardSize?: number;
  /** The reconciler leaves alone what changed more recently than this (RECONCILE_GRACE). */
  reconcileGraceMs: number;
  /** RETENTION_DAYS and RECORD_RETENTION_DAYS, for the purge; everything is kept when absent. */
  retention?: RetentionSettings;
  /** Attempts, deferrals and reconciler repairs are counted here; none in tests that don't ask. */
  metrics?: WorkerMetrics;
}
