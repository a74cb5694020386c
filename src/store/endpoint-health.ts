import type { Kysely } from 'kysely';
import { now } from './rows';
import type { Database } from './schema';

/** Endpoint health: how long a subscription's attempts have been failing, and disabling it when too long. */
export class EndpointHealth {
  constructor(readonly db: Kysely<Database>) {}

  /**
   * Endpoint health: a success clears the failing streak; a failure starts it or, once it has
   * lasted `disableAfterMs`, disables the subscription. Returns true when this call disabled it.
   */
  async recordEndpointHealth(subscriptionId: string, ok: boolean, disableAfterMs: number): Promise<boolean> {
    const at = now();
    if (ok) {
      await this.db
        .updateTable('subscriptions')
        .set({ failing_since: null })
        .where('id', '=', subscriptionId)
        .where('failing_since', 'is not', null)
        .execute();
      return false;
    }
    await this.db
      .updateTable('subscriptions')
      .set({ failing_since: at })
      .where('id', '=', subscriptionId)
      .where('failing_since', 'is', null)
      .execute();
    const threshold = new Date(Date.now() - disableAfterMs).toISOString();
    const disabled = await this.db
      .updateTable('subscriptions')
      .set((eb) => ({
        status: 'disabled' as const,
        // The cast tells PostgreSQL the parameter's type; concat alone leaves it unknown.
        disabled_reason: eb.fn<string>('concat', [eb.cast(eb.val('failing continuously since '), 'text'), eb.ref('failing_since')]),
        disabled_at: at,
        updated_at: at,
      }))
      .where('id', '=', subscriptionId)
      .where('status', '=', 'active')
      .where('failing_since', '<=', threshold)
      .executeTakeFirst();
    return disabled.numUpdatedRows > 0n;
  }
}
