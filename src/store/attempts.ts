import { FINAL_STATUSES } from '../delivery/status';
import type { Attempt, EndpointStats } from '../model';
import { endpointStats } from './endpoint-stats';
import { type AttemptResult, now, toAttempt } from './rows';
import { HookedQueries } from './hooks';

/** Attempts: one row per (delivery, number), written before the request goes out. */
export class AttemptQueries extends HookedQueries {
  /** The endpoint's last 24 hours of attempts, by the hour. */
  async endpointStats(subscriptionId: string): Promise<EndpointStats> {
    return endpointStats(this.db, subscriptionId);
  }

  async list(deliveryId: string): Promise<Attempt[]> {
    const rows = await this.db
      .selectFrom('attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('number')
      .execute();
    return rows.map(toAttempt);
  }

  /**
   * Records that attempt `number` is about to be sent. Running it twice keeps one row; an earlier
   * attempt still marked as sending was lost with its worker and is closed as abandoned.
   */
  async start(deliveryId: string, number: number): Promise<void> {
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('attempts')
        .set({ outcome: 'abandoned', error: 'worker lost before the attempt finished' })
        .where('delivery_id', '=', deliveryId)
        .where('number', '<', number)
        .where('outcome', '=', 'sending')
        .execute();
      await trx
        .insertInto('attempts')
        .values({
          delivery_id: deliveryId,
          number,
          outcome: 'sending',
          started_at: at,
          duration_ms: null,
          status_code: null,
          error: null,
          response_body: null,
        })
        .onConflict((oc) => oc.columns(['delivery_id', 'number']).doNothing())
        .execute();
      await trx
        .updateTable('deliveries')
        .set((eb) => ({
          status: 'delivering',
          attempt_count: eb.case().when('attempt_count', '<', number).then(number).else(eb.ref('attempt_count')).end(),
          last_attempt_at: at,
          next_attempt_at: null,
          updated_at: at,
        }))
        .where('id', '=', deliveryId)
        .where('status', 'not in', FINAL_STATUSES)
        .execute();
    });
  }

  /**
   * Closes an attempt and moves the delivery on: to succeeded, to failed when `final`, else back to
   * waiting with the next attempt's time. A delivery already in a final state is left alone, so a
   * replayed call cannot produce a second success.
   */
  async finish(
    deliveryId: string,
    number: number,
    result: AttemptResult,
    next: { final: boolean; nextAttemptAt?: string | null },
  ): Promise<void> {
    const at = now();
    const status = result.outcome === 'succeeded' ? 'succeeded' : result.outcome === 'awaiting_confirmation' ? 'awaiting_confirmation' : next.final ? 'failed' : 'delivering';
    const moved = await this.db.transaction().execute(async (trx) => {
      const attempt = trx.updateTable('attempts').where('delivery_id', '=', deliveryId).where('number', '=', number);
      // The answer is recorded once; the outcome only if nothing settled it first (an early confirmation).
      await attempt
        .set({ duration_ms: result.durationMs, status_code: result.statusCode, error: result.error, response_body: result.responseBody })
        .where('duration_ms', 'is', null)
        .where('outcome', 'in', ['sending', 'succeeded'])
        .execute();
      await attempt.set({ outcome: result.outcome }).where('outcome', '=', 'sending').execute();
      const succeeded = status === 'succeeded';
      const updated = await trx
        .updateTable('deliveries')
        .set({
          status,
          last_error: succeeded ? null : result.error,
          next_attempt_at: succeeded || next.final ? null : (next.nextAttemptAt ?? null),
          completed_at: succeeded || next.final ? at : null,
          updated_at: at,
        })
        .where('id', '=', deliveryId)
        .where('status', 'not in', FINAL_STATUSES)
        .executeTakeFirst();
      const changed = updated.numUpdatedRows > 0n;
      return { changed, recorded: changed && status === 'failed' ? await this.operational.deliveryEnded(trx, deliveryId, 'failed') : [] };
    });
    if (moved.changed && (status === 'succeeded' || status === 'failed')) this.observer.deliveriesEnded(status, 1);
    this.observer.eventsRecorded(moved.recorded);
  }

  /**
   * Settles an attempt that waits for the receiver's confirmation, once: whichever of the
   * confirmation and its timeout comes first wins, the other finds nothing left to settle.
   * Returns what the attempt ended as, and whether this call settled it.
   */
  async settleConfirmation(
    deliveryId: string,
    number: number,
    settle: { confirmed: true } | { confirmed: false; error: string; final: boolean; nextAttemptAt: string | null },
  ): Promise<{ result: 'succeeded' | 'failed' | undefined; settledNow: boolean }> {
    const at = now();
    const settled = await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('attempts')
        .set(settle.confirmed ? { outcome: 'succeeded' } : { outcome: 'failed', error: settle.error })
        .where('delivery_id', '=', deliveryId)
        .where('number', '=', number)
        // A quick receiver may confirm before its 2xx has been recorded (outcome still `sending`).
        .where('outcome', 'in', settle.confirmed ? ['sending', 'awaiting_confirmation'] : ['awaiting_confirmation'])
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        const attempt = await trx
          .selectFrom('attempts')
          .select('outcome')
          .where('delivery_id', '=', deliveryId)
          .where('number', '=', number)
          .executeTakeFirst();
        const result = attempt?.outcome === 'succeeded' || attempt?.outcome === 'failed' ? attempt.outcome : undefined;
        return { result, settledNow: false, ended: false, recorded: [] };
      }
      const final = settle.confirmed || settle.final;
      const moved = await trx
        .updateTable('deliveries')
        .set({
          status: settle.confirmed ? 'succeeded' : settle.final ? 'failed' : 'delivering',
          last_error: settle.confirmed ? null : settle.error,
          next_attempt_at: settle.confirmed ? null : settle.nextAttemptAt,
          completed_at: final ? at : null,
          updated_at: at,
        })
        .where('id', '=', deliveryId)
        .where('status', 'in', ['delivering', 'awaiting_confirmation'])
        .executeTakeFirst();
      const ended = final && moved.numUpdatedRows > 0n;
      const recorded = ended && !settle.confirmed ? await this.operational.deliveryEnded(trx, deliveryId, 'failed') : [];
      return { result: settle.confirmed ? ('succeeded' as const) : ('failed' as const), settledNow: true, ended, recorded };
    });
    if (settled.ended && settled.result) this.observer.deliveriesEnded(settled.result, 1);
    this.observer.eventsRecorded(settled.recorded);
    return { result: settled.result, settledNow: settled.settledNow };
  }
}
