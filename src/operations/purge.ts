import type { PurgeInput, PurgePage, PurgePhase } from '../contract';
import type { Ledger } from '../store/ledger';
import type { RetentionScope } from '../store/retention';

/** Events examined per page; each page is one short transaction. */
const PAGE_SIZE = 500;
const DAY_MS = 86_400_000;

export interface RetentionSettings {
  /** RETENTION_DAYS: payloads and response bodies, unless the tenant has its own. */
  retentionMs: number;
  /** RECORD_RETENTION_DAYS: whole rows, never less than the payload's retention. */
  recordRetentionMs: number;
}

/**
 * The retention scopes of a phase, at `nowMs`: first every tenant without a retention of its own
 * (and broadcasts) under the service's, then each tenant with its own, in id order.
 */
export function retentionScopes(phase: PurgePhase, settings: RetentionSettings, tenants: Map<string, number>, nowMs: number): RetentionScope[] {
  const keptFor = (payloadMs: number) => (phase === 'payloads' ? payloadMs : Math.max(settings.recordRetentionMs, payloadMs));
  const before = (ms: number) => new Date(nowMs - ms).toISOString();
  const own = [...tenants.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return [
    { before: before(keptFor(settings.retentionMs)), tenantIds: null, except: own.map(([id]) => id) },
    ...own.map(([id, days]) => ({ before: before(keptFor(days * DAY_MS)), tenantIds: [id], except: [] })),
  ];
}

/** Where the purge goes after a scope is done: the next scope, the next phase, or the end. */
function nextScope(phase: PurgePhase, scope: number, scopes: number): PurgePage['continueWith'] {
  if (scope + 1 < scopes) return { phase, scope: scope + 1, after: null };
  return phase === 'payloads' ? { phase: 'records', scope: 0, after: null } : null;
}

/**
 * One page of the purge (a Temporal Schedule runs it, like the reconciler). Only events that have
 * ended are touched: fanned out or cancelled, with no delivery still open, so nothing in flight
 * loses its payload. Safe to run twice: removing and deleting are idempotent.
 */
export async function purgePage(ledger: Ledger, settings: RetentionSettings, input: PurgeInput): Promise<PurgePage> {
  const phase = input.phase ?? 'payloads';
  const index = input.scope ?? 0;
  const scopes = retentionScopes(phase, settings, await ledger.retention.tenantRetentions(), Date.now());
  const scope = scopes[index];
  const done = { examined: 0, payloadsRemoved: 0, eventsDeleted: 0, continueWith: nextScope(phase, index, scopes.length) };
  if (!scope) return done;
  if (phase === 'payloads') {
    const page = await ledger.retention.purgePayloads(scope, input.after ?? null, PAGE_SIZE);
    const progress = { examined: page.examined, payloadsRemoved: page.removed, eventsDeleted: 0 };
    return page.next ? { ...progress, continueWith: { phase, scope: index, after: page.next } } : { ...done, ...progress };
  }
  if (index === 0) await ledger.retention.deleteExpiredPortalTokens(scope.before);
  const page = await ledger.retention.deleteRecords(scope, PAGE_SIZE);
  const progress = { examined: page.deleted, payloadsRemoved: 0, eventsDeleted: page.deleted };
  return page.more ? { ...progress, continueWith: { phase, scope: index, after: null } } : { ...done, ...progress };
}
