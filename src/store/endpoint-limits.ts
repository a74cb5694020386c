import type { Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * Per-subscription concurrency and rate limits, kept in the ledger so every worker sees the same
 * counts. Both are single conditional upserts: a slot or a token is taken by exactly one caller.
 */
export class EndpointLimits {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes one of `max` concurrency slots for at most `leaseMs` (a worker that dies frees its slot
   * when the lease runs out). Returns the function that gives it back, or undefined if all are taken.
   */
  async acquireSlot(subscriptionId: string, max: number, holder: string, leaseMs: number): Promise<(() => Promise<void>) | undefined> {
    const now = new Date().toISOString();
    const until = new Date(Date.now() + leaseMs).toISOString();
    const busy = await this.db
      .selectFrom('endpoint_slots')
      .select('slot')
      .where('subscription_id', '=', subscriptionId)
      .where('lease_until', '>=', now)
      .execute();
    // A limit lowered below what is in use gives out nothing until enough slots are back.
    if (busy.length >= max) return undefined;
    const taken = new Set(busy.map((b) => Number(b.slot)));
    // Every free slot, from a random one on: takers racing between the read and the write spread out,
    // and one that loses a slot tries the next, so no slot stays free while someone is refused.
    const free = Array.from({ length: max }, (_, i) => i).filter((i) => !taken.has(i));
    const start = Math.floor(Math.random() * free.length);
    const candidates = [...free.slice(start), ...free.slice(0, start)];
    for (const slot of candidates) {
      const result = await this.db
        .insertInto('endpoint_slots')
        .values({ subscription_id: subscriptionId, slot, holder, lease_until: until })
        .onConflict((oc) =>
          oc.columns(['subscription_id', 'slot']).doUpdateSet({ holder, lease_until: until }).where('endpoint_slots.lease_until', '<', now),
        )
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) {
        return async () => {
          await this.db
            .deleteFrom('endpoint_slots')
            .where('subscription_id', '=', subscriptionId)
            .where('slot', '=', slot)
            .where('holder', '=', holder)
            .execute();
        };
      }
    }
    return undefined;
  }

  /** Takes a token of this second's `perSecond`; returns undefined if taken, else ms until the next second. */
  async takeRateToken(subscriptionId: string, perSecond: number): Promise<number | undefined> {
    const now = Date.now();
    const window = Math.floor(now / 1000);
    const result = await this.db
      .insertInto('endpoint_rate')
      .values({ subscription_id: subscriptionId, window_start: window, sent: 1 })
      .onConflict((oc) =>
        oc
          .column('subscription_id')
          .doUpdateSet((eb) => ({
            window_start: eb.ref('excluded.window_start'),
            sent: eb.case().when('endpoint_rate.window_start', '=', eb.ref('excluded.window_start')).then(eb('endpoint_rate.sent', '+', 1)).else(1).end(),
          }))
          .where((eb) => eb.or([eb('endpoint_rate.window_start', '<>', eb.ref('excluded.window_start')), eb('endpoint_rate.sent', '<', perSecond)])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0 ? undefined : 1000 - (now % 1000);
  }
}
