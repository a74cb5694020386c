import type { Generated } from 'kysely';
import type { AttemptOutcome, DeliveryStatus } from '../model';

/** Table shapes as stored. Timestamps are ISO-8601 UTC strings so they sort and compare as text on every dialect. */
export interface SubscriptionsTable {
  id: string;
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
}

export interface DeliveriesTable {
  id: string;
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

export interface Database {
  subscriptions: SubscriptionsTable;
  subscription_event_types: SubscriptionEventTypesTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  attempts: AttemptsTable;
  endpoint_slots: EndpointSlotsTable;
  endpoint_rate: EndpointRateTable;
}
