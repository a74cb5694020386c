import type { Generated } from 'kysely';
import type { AttemptOutcome, DeliveryStatus } from '../model';

/** Table shapes as stored. Timestamps are ISO-8601 UTC strings so they sort and compare as text on every dialect. */
export interface SubscriptionsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  /** JSON array of patterns; the matchable copy lives in subscription_event_types. */
  event_types: string;
  secret: string;
  /** JSON array of delays in ms before each attempt, or null for the default schedule. */
  retry_schedule: string | null;
  timeout_ms: number;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  confirmation_timeout_ms: number | null;
  failing_since: string | null;
  max_concurrency: number | null;
  rate_limit_per_second: number | null;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  /** The last sequence number given to one of its deliveries. */
  last_sequence: Generated<number>;
  ordering: Generated<'unordered' | 'fifo'>;
  /** 1 while its FIFO queue workflow runs (see store/fifo-queue.ts). */
  queue_awake: Generated<number>;
  /** JSON of the payload filter, or null. */
  filter: string | null;
  /** JSON object of custom headers (name → value) sent with every attempt, or null for none. */
  headers: string | null;
}

export interface EndpointSlotsTable {
  subscription_id: string;
  slot: number;
  holder: string;
  lease_until: string;
}

export interface EndpointRateTable {
  subscription_id: string;
  window_start: number;
  sent: number;
}

export interface SubscriptionEventTypesTable {
  subscription_id: string;
  pattern: string;
}

export interface EventsTable {
  id: string;
  type: string;
  /** JSON-encoded payload. */
  data: string;
  status: 'accepted' | 'dispatched' | 'cancelled';
  created_at: string;
  dispatched_at: string | null;
  /** The tenant whose subscriptions it reaches; null for a broadcast. */
  tenant_id: string | null;
  /** A test event goes to this one subscription only. */
  target_subscription_id: string | null;
  /** Acceptance order: an event accepted (committed) before another was posted has a smaller seq. */
  seq: number | null;
  /** When its payload (and its attempts' response bodies) were removed; null while kept. */
  data_removed_at: string | null;
  data_removed_reason: 'retention' | 'expunged' | null;
  /** An operational event about this subscription, which therefore never receives it. */
  about_subscription_id: string | null;
}

export interface DeliveriesTable {
  id: string;
  /** Copied from the subscription and the event at fan-out, so lists filter without joins. */
  tenant_id: string;
  event_type: string;
  event_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempt_count: Generated<number>;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  /** Workflow id that will start this pending delivery; null when the gateway starts it at once. */
  owner: string | null;
  /** Per subscription, strictly increasing in the order the events were accepted. */
  sequence: number | null;
}

export interface AttemptsTable {
  delivery_id: string;
  number: number;
  outcome: AttemptOutcome;
  started_at: string;
  duration_ms: number | null;
  status_code: number | null;
  error: string | null;
  response_body: string | null;
}

export interface TenantsTable {
  id: string;
  name: string;
  /** JSON object of strings. */
  metadata: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** Temporal fairness weight of its tasks; null for 1. */
  fairness_weight: number | null;
  /** JSON of the limits set on it (TenantLimitsInput); null for the defaults. */
  limits: string | null;
  /** How many days its payloads are kept; null: RETENTION_DAYS. */
  retention_days: number | null;
}

/** Bulk retries and replays a tenant started, counted against its concurrentJobs limit. */
export interface TenantJobsTable {
  /** The job's workflow id. */
  workflow_id: string;
  tenant_id: string;
  kind: 'bulk_retry' | 'replay';
  started_at: string;
  /** Set once the job's workflow is seen closed. */
  ended_at: string | null;
}

/** One fixed window per tenant and quota: how much its callers used in the current one. */
export interface QuotaWindowsTable {
  tenant_id: string;
  /** The limit counted: requestsPerSecond or testEventsPerMinute. */
  quota: string;
  /** The window's number: epoch ms divided by its length. */
  window_start: number;
  used: number;
}

/** Tenant API keys, portal links and portal sessions: bearer secrets kept only as SHA-256 hashes. */
export interface TenantKeysTable {
  id: string;
  tenant_id: string;
  name: string | null;
  prefix: string;
  key_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface PortalTokensTable {
  token_hash: string;
  kind: 'link' | 'session';
  tenant_id: string;
  /** For a session: the CSRF token its page sends on writes. For a link: the session's lifetime in ms. */
  detail: string;
  created_at: string;
  expires_at: string;
  /** A link once redeemed, a session once signed out or revoked. */
  ended_at: string | null;
}

export interface EventTypesTable {
  /** The tenant that saw it, or '*' for a broadcast. */
  scope: string;
  type: string;
  last_seen_at: string;
}

/** The event types the operator declared (PUT /v1/event-types/{type}), see store/event-catalog.ts. */
export interface EventCatalogTable {
  type: string;
  description: string;
  /** JSON Schema (2020-12) of the event's data, as JSON; null: the data is not checked. */
  schema: string | null;
  /** JSON of an example of the data, or null. */
  example: string | null;
  /** 1 when deprecated (SQLite has no boolean). */
  deprecated: number;
  deprecated_at: string | null;
  deprecated_message: string | null;
  replaced_by: string | null;
  /** 1 at the first PUT, one more at each: gateways recompile a cached schema when it changes. */
  version: number;
  created_at: string;
  updated_at: string;
}

/** One row: broadcasts lock it exclusively, tenant fan-outs share it (PostgreSQL), see store/fan-out.ts. */
export interface FanOutLockTable {
  id: number;
}

/**
 * One row per tenant that has fanned out, locked by that tenant's fan-out transactions: fan-outs of
 * one tenant run one at a time, those of different tenants side by side (store/fan-out.ts).
 */
export interface FanOutTenantLocksTable {
  tenant_id: string;
}

export interface Database {
  fan_out_lock: FanOutLockTable;
  fan_out_tenant_locks: FanOutTenantLocksTable;
  tenants: TenantsTable;
  tenant_jobs: TenantJobsTable;
  quota_windows: QuotaWindowsTable;
  tenant_keys: TenantKeysTable;
  portal_tokens: PortalTokensTable;
  event_types: EventTypesTable;
  event_catalog: EventCatalogTable;
  subscriptions: SubscriptionsTable;
  subscription_event_types: SubscriptionEventTypesTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  attempts: AttemptsTable;
  endpoint_slots: EndpointSlotsTable;
  endpoint_rate: EndpointRateTable;
}
