import type { Insertable, Kysely, Selectable } from 'kysely';
import { patternsMatching } from '../event-types';
import { newId } from '../ids';
import type {
  Attempt,
  CreateSubscriptionInput,
  Delivery,
  DeliveryFilter,
  DeliveryStatus,
  Page,
  PageQuery,
  Subscription,
  UpdateSubscriptionInput,
  WebhookEvent,
} from '../model';
import { DEFAULT_CONFIRMATION_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from '../model';
import { STANDARD_RETRY_SCHEDULE_MS } from '../retry-schedule';
import type { DeliveryPlan } from '../../workflows/shared';
import { EndpointLimits } from './endpoint-limits';
import { RecoveryQueries } from './recovery';
import type { AttemptsTable, Database, DeliveriesTable, SubscriptionsTable } from './schema';

/** A subscription as the delivery path needs it, secret included. Never leaves the worker. */
export interface SubscriptionTarget extends Subscription {
  secret: string;
}

export interface StoredEvent extends WebhookEvent {
  data: Record<string, unknown>;
}

/** What a delivery workflow needs to know about its subscription, taken when it starts. */
export type PreparedDelivery = DeliveryPlan;

export interface AttemptResult {
  outcome: 'succeeded' | 'failed' | 'awaiting_confirmation';
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
}

const now = () => new Date().toISOString();

/**
 * Times are stored as ISO strings with milliseconds in UTC, which sort as the instants do; a
 * bound such as `06:50:00Z` is brought to the same form (`06:50:00.000Z`) before it is compared.
 */
const instant = (iso: string) => new Date(iso).toISOString();

function confirmationTimeout(c: { required: boolean; timeout?: number } | undefined): number | null {
  return c?.required ? (c.timeout ?? DEFAULT_CONFIRMATION_TIMEOUT_MS) : null;
}

function retryScheduleOf(row: Pick<Selectable<SubscriptionsTable>, 'retry_schedule'>): number[] {
  return row.retry_schedule ? (JSON.parse(row.retry_schedule) as number[]) : [...STANDARD_RETRY_SCHEDULE_MS];
}

function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function toPrepared(deliveryId: string, s: Selectable<SubscriptionsTable>): PreparedDelivery {
  return {
    deliveryId,
    subscriptionId: s.id,
    displayUrl: displayUrl(s.url),
    retrySchedule: retryScheduleOf(s),
    timeoutMs: Number(s.timeout_ms),
    confirmationTimeoutMs: s.confirmation_timeout_ms === null ? null : Number(s.confirmation_timeout_ms),
  };
}

function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as string[],
    retrySchedule: retryScheduleOf(row),
    timeoutMs: Number(row.timeout_ms),
    confirmation: {
      required: row.confirmation_timeout_ms !== null,
      timeoutMs: row.confirmation_timeout_ms === null ? null : Number(row.confirmation_timeout_ms),
    },
    maxConcurrency: row.max_concurrency === null ? null : Number(row.max_concurrency),
    rateLimitPerSecond: row.rate_limit_per_second === null ? null : Number(row.rate_limit_per_second),
    status: row.status,
    failingSince: row.failing_since,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDelivery(row: Selectable<DeliveriesTable>): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    subscriptionId: row.subscription_id,
    status: row.status,
    attemptCount: Number(row.attempt_count),
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

function toAttempt(row: Selectable<AttemptsTable>): Attempt {
  return {
    number: Number(row.number),
    outcome: row.outcome,
    startedAt: row.started_at,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    error: row.error,
    responseBody: row.response_body,
  };
}

function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
}

/** A new subscription's rows, exactly as the ledger stores them (also used to seed large tests). */
export function subscriptionRows(input: CreateSubscriptionInput & { secret: string }, id: string, at: string) {
  const eventTypes = [...new Set(input.eventTypes)];
  const subscription: Insertable<SubscriptionsTable> = {
    id,
    url: input.url,
    description: input.description ?? null,
    event_types: JSON.stringify(eventTypes),
    secret: input.secret,
    retry_schedule: input.retrySchedule ? JSON.stringify(input.retrySchedule) : null,
    timeout_ms: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    status: 'active',
    disabled_reason: null,
    disabled_at: null,
    created_at: at,
    updated_at: at,
    deleted_at: null,
    confirmation_timeout_ms: confirmationTimeout(input.confirmation),
    failing_since: null,
    max_concurrency: input.maxConcurrency ?? null,
    rate_limit_per_second: input.rateLimitPerSecond ?? null,
  };
  return { subscription, patterns: eventTypes.map((pattern) => ({ subscription_id: id, pattern })) };
}

/** Rows per INSERT statement when recording a large fan-out. */
const INSERT_CHUNK = 500;

/** A new pending delivery; `owner` is the workflow that will start it (null: whoever created it, at once). */
function pendingDeliveryRow(eventId: string, subscriptionId: string, at: string, owner: string | null) {
  return {
    id: newId.delivery(),
    event_id: eventId,
    subscription_id: subscriptionId,
    status: 'pending' as const,
    last_attempt_at: null,
    next_attempt_at: null,
    last_error: null,
    created_at: at,
    updated_at: at,
    completed_at: null,
    owner,
  };
}

/** States a delivery never leaves: writes that would move it out of them are ignored. */
const FINAL_STATUSES: DeliveryStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * The ledger: the durable record of subscriptions, events, deliveries and attempts. Every write
 * is idempotent so an activity retried after a crash can run it again without doubling anything.
 */
export class Ledger {
  readonly limits: EndpointLimits;
  readonly recovery: RecoveryQueries;

  constructor(readonly db: Kysely<Database>) {
    this.limits = new EndpointLimits(db);
    this.recovery = new RecoveryQueries(db);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('events').select('id').limit(1).execute();
  }

  // Subscriptions

  async createSubscription(input: CreateSubscriptionInput & { secret: string }): Promise<Subscription> {
    const { subscription, patterns } = subscriptionRows(input, newId.subscription(), now());
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('subscriptions').values(subscription).execute();
      await trx.insertInto('subscription_event_types').values(patterns).execute();
    });
    return (await this.getSubscription(subscription.id))!;
  }

  async getSubscription(id: string): Promise<Subscription | undefined> {
    const target = await this.getSubscriptionTarget(id);
    if (!target) return undefined;
    const { secret: _, ...subscription } = target;
    return subscription;
  }

  async getSubscriptionTarget(id: string): Promise<SubscriptionTarget | undefined> {
    const row = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && { ...toSubscription(row), secret: row.secret };
  }

  async listSubscriptions(page: PageQuery): Promise<Page<Subscription>> {
    let query = this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('id', 'desc')
      .limit(page.limit + 1);
    if (page.cursor) query = query.where('id', '<', page.cursor);
    const rows = await query.execute();
    return pageOf(rows.map(toSubscription), page.limit);
  }

  async updateSubscription(id: string, patch: UpdateSubscriptionInput): Promise<Subscription | undefined> {
    const at = now();
    const found = await this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('subscriptions')
        .select('id')
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!existing) return false;
      const enabling = patch.status === 'active';
      const disabling = patch.status === 'disabled';
      await trx
        .updateTable('subscriptions')
        .set({
          updated_at: at,
          ...(patch.url !== undefined && { url: patch.url }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.timeoutMs !== undefined && { timeout_ms: patch.timeoutMs }),
          ...(patch.retrySchedule !== undefined && {
            retry_schedule: patch.retrySchedule === null ? null : JSON.stringify(patch.retrySchedule),
          }),
          ...(patch.eventTypes !== undefined && { event_types: JSON.stringify([...new Set(patch.eventTypes)]) }),
          ...(patch.confirmation !== undefined && { confirmation_timeout_ms: confirmationTimeout(patch.confirmation) }),
          ...(patch.maxConcurrency !== undefined && { max_concurrency: patch.maxConcurrency }),
          ...(patch.rateLimitPerSecond !== undefined && { rate_limit_per_second: patch.rateLimitPerSecond }),
          ...(enabling && { status: 'active' as const, disabled_reason: null, disabled_at: null, failing_since: null }),
          ...(disabling && { status: 'disabled' as const, disabled_reason: 'disabled by API', disabled_at: at }),
        })
        .where('id', '=', id)
        .execute();
      if (patch.eventTypes !== undefined) {
        await trx.deleteFrom('subscription_event_types').where('subscription_id', '=', id).execute();
        await trx
          .insertInto('subscription_event_types')
          .values([...new Set(patch.eventTypes)].map((pattern) => ({ subscription_id: id, pattern })))
          .execute();
      }
      return true;
    });
    return found ? this.getSubscription(id) : undefined;
  }

  /** Soft delete: deliveries keep pointing at it, new events no longer match it. */
  async deleteSubscription(id: string): Promise<boolean> {
    const at = now();
    const result = await this.db
      .updateTable('subscriptions')
      .set({ deleted_at: at, updated_at: at, status: 'disabled', disabled_reason: 'deleted', disabled_at: at })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Idempotent: the first reason and time stay. */
  async disableSubscription(id: string, reason: string): Promise<void> {
    const at = now();
    await this.db
      .updateTable('subscriptions')
      .set({ status: 'disabled', disabled_reason: reason, disabled_at: at, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .execute();
  }

  // Events

  /** Inserts the event unless its id exists; returns the stored one and whether it is new. */
  async insertEvent(input: { id: string; type: string; data: Record<string, unknown> }): Promise<{
    event: StoredEvent;
    created: boolean;
  }> {
    const result = await this.db
      .insertInto('events')
      .values({
        id: input.id,
        type: input.type,
        data: JSON.stringify(input.data),
        status: 'accepted',
        created_at: now(),
        dispatched_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    const created = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    return { event: (await this.getEvent(input.id))!, created };
  }

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    const row = await this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      row && {
        id: row.id,
        type: row.type,
        status: row.status,
        createdAt: row.created_at,
        data: JSON.parse(row.data) as Record<string, unknown>,
      }
    );
  }

  /**
   * Records the fan-out of an event: a pending delivery for every active subscription whose
   * patterns match, and the event marked dispatched, in one transaction (re-running it adds
   * nothing). Returns the shards: consecutive runs of at most `shardSize` subscriptions, by id.
   * `owner` is the workflow that starts the deliveries. A cancelled event fans out to no one.
   */
  async recordFanOut(
    eventId: string,
    eventType: string,
    shardSize: number,
    owner: string,
    onProgress: () => void = () => {},
  ): Promise<{ deliveries: number; shards: { after: string | null; upTo: string }[] }> {
    const patterns = patternsMatching(eventType);
    return this.db.transaction().execute(async (trx) => {
      const event = await trx.selectFrom('events').select('status').where('id', '=', eventId).executeTakeFirst();
      if (!event || event.status === 'cancelled') return { deliveries: 0, shards: [] };
      const rows = await trx
        .selectFrom('subscriptions as s')
        .select('s.id')
        .where('s.status', '=', 'active')
        .where('s.deleted_at', 'is', null)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('subscription_event_types as t')
              .select('t.subscription_id')
              .whereRef('t.subscription_id', '=', 's.id')
              .where('t.pattern', 'in', patterns),
          ),
        )
        .orderBy('s.id')
        .execute();
      const ids = rows.map((r) => r.id);
      const at = now();
      for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('deliveries')
          .values(ids.slice(i, i + INSERT_CHUNK).map((subscriptionId) => pendingDeliveryRow(eventId, subscriptionId, at, owner)))
          .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
          .execute();
        onProgress();
      }
      await trx
        .updateTable('events')
        .set({ status: 'dispatched', dispatched_at: at })
        .where('id', '=', eventId)
        .where('status', '=', 'accepted')
        .execute();
      const shards = [];
      for (let i = 0; i < ids.length; i += shardSize) {
        shards.push({ after: i === 0 ? null : ids[i - 1]!, upTo: ids[Math.min(i + shardSize, ids.length) - 1]! });
      }
      return { deliveries: ids.length, shards };
    });
  }

  /** One page of an event's pending deliveries for subscriptions in (after, upTo], by subscription id. */
  async pendingDeliveryPlans(eventId: string, range: { after: string | null; upTo: string }, limit: number): Promise<PreparedDelivery[]> {
    let query = this.db
      .selectFrom('deliveries as d')
      .innerJoin('subscriptions as s', 's.id', 'd.subscription_id')
      .selectAll('s')
      .select('d.id as delivery_id')
      .where('d.event_id', '=', eventId)
      .where('d.status', '=', 'pending')
      .where('d.subscription_id', '<=', range.upTo)
      .orderBy('d.subscription_id')
      .limit(limit);
    if (range.after !== null) query = query.where('d.subscription_id', '>', range.after);
    return (await query.execute()).map((row) => toPrepared(row.delivery_id, row));
  }

  // Deliveries and attempts

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDelivery(row);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Page<Delivery>> {
    let query = this.db
      .selectFrom('deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(filter.limit + 1);
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.cursor) query = query.where('id', '<', filter.cursor);
    const rows = await query.execute();
    return pageOf(rows.map(toDelivery), filter.limit);
  }

  async listEventDeliveries(eventId: string): Promise<Delivery[]> {
    const rows = await this.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
    return rows.map(toDelivery);
  }

  async listAttempts(deliveryId: string): Promise<Attempt[]> {
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
  async startAttempt(deliveryId: string, number: number): Promise<void> {
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
  async finishAttempt(
    deliveryId: string,
    number: number,
    result: AttemptResult,
    next: { final: boolean; nextAttemptAt?: string | null },
  ): Promise<void> {
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      const attempt = trx.updateTable('attempts').where('delivery_id', '=', deliveryId).where('number', '=', number);
      // The answer is recorded once; the outcome only if nothing settled it first (an early confirmation).
      await attempt
        .set({ duration_ms: result.durationMs, status_code: result.statusCode, error: result.error, response_body: result.responseBody })
        .where('duration_ms', 'is', null)
        .where('outcome', 'in', ['sending', 'succeeded'])
        .execute();
      await attempt.set({ outcome: result.outcome }).where('outcome', '=', 'sending').execute();
      const succeeded = result.outcome === 'succeeded';
      const awaiting = result.outcome === 'awaiting_confirmation';
      await trx
        .updateTable('deliveries')
        .set({
          status: succeeded ? 'succeeded' : awaiting ? 'awaiting_confirmation' : next.final ? 'failed' : 'delivering',
          last_error: succeeded ? null : result.error,
          next_attempt_at: succeeded || next.final ? null : (next.nextAttemptAt ?? null),
          completed_at: succeeded || next.final ? at : null,
          updated_at: at,
        })
        .where('id', '=', deliveryId)
        .where('status', 'not in', FINAL_STATUSES)
        .execute();
    });
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
    return this.db.transaction().execute(async (trx) => {
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
        return { result, settledNow: false };
      }
      const final = settle.confirmed || settle.final;
      await trx
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
        .execute();
      return { result: settle.confirmed ? ('succeeded' as const) : ('failed' as const), settledNow: true };
    });
  }

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

  /** Everything needed to run a delivery again (retry, replay), or undefined if unknown. */
  async deliveryTarget(deliveryId: string): Promise<
    { delivery: Delivery; eventType: string; prepared: PreparedDelivery; subscriptionActive: boolean } | undefined
  > {
    const row = await this.db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('subscriptions as s', 's.id', 'd.subscription_id')
      .selectAll('s')
      .select(['d.id as delivery_id', 'e.type as event_type'])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
    const delivery = await this.getDelivery(deliveryId);
    if (!row || !delivery) return undefined;
    return {
      delivery,
      eventType: row.event_type,
      prepared: toPrepared(deliveryId, row),
      subscriptionActive: row.status === 'active' && row.deleted_at === null,
    };
  }

  /**
   * Moves a delivery back to pending so it can run again; only one caller wins. Attempts its
   * earlier run left open are closed as abandoned. `owner` is the workflow that will start it.
   * Returns the status it had, or undefined if it was not in one of `from`.
   */
  async reopenDelivery(deliveryId: string, from: DeliveryStatus[], owner: string | null = null): Promise<DeliveryStatus | undefined> {
    const before = await this.getDelivery(deliveryId);
    if (!before || !from.includes(before.status)) return undefined;
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('deliveries')
        .set({ status: 'pending', next_attempt_at: null, completed_at: null, updated_at: now(), owner })
        .where('id', '=', deliveryId)
        .where('status', '=', before.status)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return undefined;
      await trx
        .updateTable('attempts')
        .set({ outcome: 'abandoned', error: 'its run ended before the attempt was settled' })
        .where('delivery_id', '=', deliveryId)
        .where('outcome', 'in', ['sending', 'awaiting_confirmation'])
        .execute();
      return before.status;
    });
  }

  /** Puts a delivery back to the status it had when a reopen could not be followed through. */
  async restoreDelivery(deliveryId: string, status: DeliveryStatus): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ status, completed_at: FINAL_STATUSES.includes(status) ? now() : null, updated_at: now() })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Deliveries for a bulk retry, oldest first, bounded by `limit`, after the (createdAt, id) cursor. */
  async findDeliveries(filter: {
    subscriptionId?: string;
    eventId?: string;
    statuses: DeliveryStatus[];
    since?: string;
    until?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<Delivery[]> {
    let query = this.db
      .selectFrom('deliveries')
      .selectAll()
      .where('status', 'in', filter.statuses)
      .orderBy('created_at')
      .orderBy('id')
      .limit(filter.limit);
    if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    if (filter.since) query = query.where('created_at', '>=', instant(filter.since));
    if (filter.until) query = query.where('created_at', '<', instant(filter.until));
    const after = filter.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
      );
    }
    return (await query.execute()).map(toDelivery);
  }

  /** One page of events created in [since, until), oldest first, for a replay. */
  async listEventsInWindow(
    since: string,
    until: string,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<{ id: string; type: string; createdAt: string }[]> {
    let query = this.db
      .selectFrom('events')
      .select(['id', 'type', 'created_at'])
      .where('created_at', '>=', instant(since))
      .where('created_at', '<', instant(until))
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
        ]),
      );
    }
    return (await query.execute()).map((r) => ({ id: r.id, type: r.type, createdAt: r.created_at }));
  }

  /** The delivery of an event to a subscription, created pending (for `owner` to start) if there is none yet. */
  async ensureDelivery(eventId: string, subscriptionId: string, owner: string | null): Promise<Delivery> {
    const [row] = await this.insertPendingDeliveries(eventId, [subscriptionId], owner);
    return (await this.getDelivery(row!.id))!;
  }

  /** Creates the missing pending deliveries of an event (idempotent) and returns all of them. */
  private async insertPendingDeliveries(eventId: string, subscriptionIds: string[], owner: string | null) {
    const at = now();
    await this.db
      .insertInto('deliveries')
      .values(subscriptionIds.map((subscriptionId) => pendingDeliveryRow(eventId, subscriptionId, at, owner)))
      .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
      .execute();
    return this.db
      .selectFrom('deliveries')
      .select(['id', 'subscription_id'])
      .where('event_id', '=', eventId)
      .where('subscription_id', 'in', subscriptionIds)
      .execute();
  }

  /** Ends a delivery without a new attempt (cancelled, or failed for a reason outside HTTP). */
  async endDelivery(deliveryId: string, status: 'failed' | 'cancelled', reason: string): Promise<void> {
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('attempts')
        .set({ outcome: 'abandoned', error: reason })
        .where('delivery_id', '=', deliveryId)
        .where('outcome', 'in', ['sending', 'awaiting_confirmation'])
        .execute();
      await trx
        .updateTable('deliveries')
        .set({ status, last_error: reason, next_attempt_at: null, completed_at: at, updated_at: at })
        .where('id', '=', deliveryId)
        .where('status', 'not in', FINAL_STATUSES)
        .execute();
    });
  }
}
