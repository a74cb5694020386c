import type { Kysely, RawBuilder } from 'kysely';
import type { NewEvent } from './rows';
import type { Database } from './schema';

/** A new event's row, for single and batch intake alike; `seq` is its place in acceptance order. */
export function newEventRow<S extends number | RawBuilder<number>>(input: NewEvent, at: string, seq: S) {
  return {
    id: input.id,
    tenant_id: input.tenantId,
    target_subscription_id: input.targetSubscriptionId ?? null,
    type: input.type,
    data: JSON.stringify(input.data),
    status: 'accepted' as const,
    created_at: at,
    dispatched_at: null,
    seq,
  };
}

/** The catalog of types seen is precise to this: a busy type's row is rewritten once a minute, not per event. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * Adds the events' types to the catalog of types seen, per tenant ('*' for broadcasts); a test
 * event's type stays out. One row per (scope, type), written in key order so that concurrent
 * batches take the rows' locks in the same order (no deadlock on PostgreSQL).
 */
export async function recordEventTypes(db: Kysely<Database>, events: NewEvent[], at: string): Promise<void> {
  const keys = new Map<string, { scope: string; type: string; last_seen_at: string }>();
  for (const e of events) {
    if (e.targetSubscriptionId) continue;
    const scope = e.tenantId ?? '*';
    keys.set(JSON.stringify([scope, e.type]), { scope, type: e.type, last_seen_at: at });
  }
  const rows = [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  const stale = new Date(Date.parse(at) - LAST_SEEN_RESOLUTION_MS).toISOString();
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('event_types')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['scope', 'type']).doUpdateSet({ last_seen_at: at }).where('event_types.last_seen_at', '<', stale))
      .execute();
  }
}
