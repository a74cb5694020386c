import type { Insertable, Selectable } from 'kysely';
import { newId } from '../core/ids';
import { sameJsonValue } from '../core/json-value';
import type { Attempt, CreateSubscriptionInput, Delivery, Page, Subscription, WebhookEvent } from '../model';
import { DEFAULT_CONFIRMATION_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from '../model';
import { STANDARD_RETRY_SCHEDULE_MS } from '../delivery/retry-schedule';
import type { DeliveryPlan } from '../contract';
import type { AttemptsTable, DeliveriesTable, EventsTable, SubscriptionsTable } from './schema';

// The ledger's rows and the API's shapes, and the one place each is turned into the other.

/** A subscription as the delivery path needs it, secret included. Never leaves the worker. */
export interface SubscriptionTarget extends Subscription {
  secret: string;
  /** The secret a rotation replaced, while it still signs (until previousSecretExpiresAt). */
  previousSecret: string | null;
}

/** An event to record: what a producer posted, with its id. */
export interface NewEvent {
  id: string;
  /** null: a broadcast to every tenant. */
  tenantId: string | null;
  /** A test event's one subscription. */
  targetSubscriptionId?: string;
  type: string;
  data: Record<string, unknown>;
}

export interface StoredEvent extends WebhookEvent {
  /** `{}` once removed: read dataRemovedAt before using it. */
  data: Record<string, unknown>;
  targetSubscriptionId: string | null;
  dataRemovedAt: string | null;
  dataRemovedReason: 'retention' | 'expunged' | null;
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

export const now = () => new Date().toISOString();

/**
 * Times are stored as ISO strings with milliseconds in UTC, which sort as the instants do; a
 * bound such as `06:50:00Z` is brought to the same form (`06:50:00.000Z`) before it is compared.
 */
export const instant = (iso: string) => new Date(iso).toISOString();

export function confirmationTimeout(c: { required: boolean; timeout?: number } | undefined): number | null {
  return c?.required ? (c.timeout ?? DEFAULT_CONFIRMATION_TIMEOUT_MS) : null;
}

function retryScheduleOf(row: Pick<Selectable<SubscriptionsTable>, 'retry_schedule'>): number[] {
  return row.retry_schedule ? (JSON.parse(row.retry_schedule) as number[]) : [...STANDARD_RETRY_SCHEDULE_MS];
}

function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export function toPrepared(deliveryId: string, s: Selectable<SubscriptionsTable>, sequence: number | null): PreparedDelivery {
  return {
    deliveryId,
    ...(sequence !== null && { sequence: Number(sequence) }),
    subscriptionId: s.id,
    tenantId: s.tenant_id,
    displayUrl: displayUrl(s.url),
    retrySchedule: retryScheduleOf(s),
    timeoutMs: Number(s.timeout_ms),
    confirmationTimeoutMs: s.confirmation_timeout_ms === null ? null : Number(s.confirmation_timeout_ms),
  };
}

/** The stored custom headers; none is `{}`. */
function headersOf(column: string | null): Record<string, string> {
  return column === null ? {} : (JSON.parse(column) as Record<string, string>);
}

/** What the headers column holds: null for none, so a ledger without any stays as it was. */
export function headersColumn(headers: Record<string, string> | null | undefined): string | null {
  return headers && Object.keys(headers).length > 0 ? JSON.stringify(headers) : null;
}

export function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id,
    tenantId: row.tenant_id,
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
    ordering: row.ordering,
    filter: row.filter === null ? null : (JSON.parse(row.filter) as Record<string, unknown>),
    headers: headersOf(row.headers),
    status: row.status,
    failingSince: row.failing_since,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toDelivery(row: Selectable<DeliveriesTable>): Delivery {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    eventId: row.event_id,
    eventType: row.event_type,
    subscriptionId: row.subscription_id,
    sequence: Number(row.sequence ?? 0),
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

export function toAttempt(row: Selectable<AttemptsTable>): Attempt {
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

export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
}

/** A new subscription's rows, exactly as the ledger stores them (also used to seed large tests). */
export function subscriptionRows(input: CreateSubscriptionInput & { secret: string; tenantId: string }, id: string, at: string) {
  const eventTypes = [...new Set(input.eventTypes)];
  const subscription: Insertable<SubscriptionsTable> = {
    id,
    tenant_id: input.tenantId,
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
    previous_secret: null,
    previous_secret_expires_at: null,
    last_sequence: 0,
    ordering: input.ordering ?? 'unordered',
    queue_awake: 0,
    filter: input.filter === undefined ? null : JSON.stringify(input.filter),
    headers: headersColumn(input.headers),
  };
  return { subscription, patterns: eventTypes.map((pattern) => ({ subscription_id: id, pattern })) };
}

/** Rows per INSERT statement when recording a large fan-out. */
export const INSERT_CHUNK = 500;

/** A new pending delivery; `owner` is the workflow that will start it (null: whoever created it, at once). */
export function pendingDeliveryRow(
  event: { id: string; type: string },
  subscription: { id: string; tenantId: string },
  at: string,
  owner: string | null,
) {
  return {
    id: newId.delivery(),
    tenant_id: subscription.tenantId,
    event_id: event.id,
    event_type: event.type,
    subscription_id: subscription.id,
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

export function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    targetSubscriptionId: row.target_subscription_id,
    type: row.type,
    status: row.status,
    createdAt: row.created_at,
    data: JSON.parse(row.data) as Record<string, unknown>,
    dataRemovedAt: row.data_removed_at,
    dataRemovedReason: row.data_removed_reason,
  };
}

/**
 * Whether a post of an event id already taken is the same event again (a repeat, answered 200)
 * rather than other content under that id (a conflict): same tenant, type, target and data.
 */
export function isSameEvent(
  stored: StoredEvent,
  posted: { tenantId: string | null; targetSubscriptionId?: string; type: string; data: Record<string, unknown> },
): boolean {
  return (
    stored.type === posted.type &&
    stored.tenantId === posted.tenantId &&
    stored.targetSubscriptionId === (posted.targetSubscriptionId ?? null) &&
    // By value, as stored: key order aside, and `-0` is the `0` JSON wrote for it. A removed
    // payload cannot be compared: the id alone makes it a repeat, and nothing is sent again.
    (stored.dataRemovedAt !== null || sameJsonValue(stored.data, posted.data))
  );
}

