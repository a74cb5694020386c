import type { Transaction } from 'kysely';
import { now } from './rows';
import type { Database } from './schema';
import { HookedQueries } from './hooks';

/** Endpoint health: how long a subscription's attempts have been failing, and disabling it when too long. */
export class EndpointHealth extends HookedQueries {
  /**
   * Subscriptions (not deleted) by health: disabled, failing (active with a failing streak) or
   * healthy. One grouped count over the subscriptions table, cheap enough for every scrape.
   */
  async stateCounts(): Promise<{ healthy: number; failing: number; disabled: number }> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .select((eb) => [
        'status',
        eb.case().when('failing_since', 'is', null).then(0).else(1).end().as('failing'),
        eb.fn.countAll<string | number | bigint>().as('count'),
      ])
      .where('deleted_at', 'is', null)
      .groupBy(['status', 'failing'])
      .execute();
    const counts = { healthy: 0, failing: 0, disabled: 0 };
    for (const row of rows) {
      const state = row.status === 'disabled' ? 'disabled' : Number(row.failing) === 1 ? 'failing' : 'healthy';
      counts[state] += Number(row.count);
    }
    return counts;
  }

  /**
   * Endpoint health: a success clears the failing streak; a failure starts it or, once it has
   * lasted `disableAfterMs`, disables the subscription. Each change is told as an operational
   * event (failing, recovered, disabled) in its transaction. Returns true when this call disabled it.
   */
  async record(subscriptionId: string, ok: boolean, disableAfterMs: number): Promise<boolean> {
    const { disabled, recorded } = await this.db.transaction().execute(async (trx) => {
      if (ok) {
        const recovered = await trx.updateTable('subscriptions').set({ failing_since: null }).where('id', '=', subscriptionId).where('failing_since', 'is not', null).returning('failing_since').execute();
        return { disabled: false, recorded: recovered.length > 0 ? await this.operational.endpoint(trx, 'webhook.endpoint.recovered', subscriptionId) : [] };
      }
      const started = await trx.updateTable('subscriptions').set({ failing_since: now() }).where('id', '=', subscriptionId).where('failing_since', 'is', null).where('status', '=', 'active').returning('id').execute();
      const failing = started.length > 0 ? await this.operational.endpoint(trx, 'webhook.endpoint.failing', subscriptionId) : [];
      const off = await disableIfFailingTooLong(trx, subscriptionId, disableAfterMs);
      return { disabled: off, recorded: [...failing, ...(off ? await this.operational.endpoint(trx, 'webhook.endpoint.disabled', subscriptionId) : [])] };
    });
    this.observer.eventsRecorded(recorded);
    return disabled;
  }
}

/** Disables the subscription if its failing streak began `disableAfterMs` ago or earlier. */
async function disableIfFailingTooLong(trx: Transaction<Database>, subscriptionId: string, disableAfterMs: number): Promise<boolean> {
  const at = now();
  const threshold = new Date(Date.now() - disableAfterMs).toISOString();
  const disabled = await trx
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
