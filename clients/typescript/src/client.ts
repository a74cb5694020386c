import createClient, { type Client } from 'openapi-fetch';
import { apiErrorFrom } from './errors';
import type { paths } from './openapi-types';
import type {
  BatchResult,
  BulkRetry,
  BulkRetryJob,
  Delivery,
  DeliveryQuery,
  DeliveryWithAttempts,
  Event,
  EventWithDeliveries,
  NewEvent,
  NewSubscription,
  NewTenantKey,
  Page,
  PortalLink,
  PortalLinkInput,
  SecretRotation,
  Subscription,
  SubscriptionChanges,
  SubscriptionQuery,
  SubscriptionWithSecret,
  Tenant,
  TenantInput,
  TenantKeyWithSecret,
  TestEvent,
} from './types';

/** The typed openapi-fetch client of the whole API: every route of the OpenAPI document. */
export type HttpClient = Client<paths>;

export interface WebhooksClientOptions {
  /** Where the gateway is, e.g. `https://webhooks.internal.example.com`. */
  baseUrl: string;
  /** The operator's API token, or a tenant key (`whk_…`) confined to its tenant. */
  apiKey: string;
  /** A fetch of your own (a proxy agent, retries, a test double); the global fetch by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Headers sent with every request besides the authorization, e.g. a tracing header. */
  headers?: Record<string, string>;
}

/**
 * The answer of an openapi-fetch call as data, or its problem as a WebhooksApiError. Exported so
 * that a route without a method here is one line: `unwrap(client.http.GET('/v1/replays/{id}', …))`.
 */
export async function unwrap<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw apiErrorFrom(response, error);
  // 204 and bodiless 202 answers have no data; their type says so (never), so the cast is exact.
  return data as T;
}

const path = (id: string) => ({ params: { path: { id } } });

/** POST /v1/events and its batch; GET and cancel one event. */
export class Events {
  constructor(private readonly http: HttpClient) {}

  /**
   * Sends an event to the matching subscriptions of its tenant. Sending an id again is safe: the
   * existing event comes back with `created: false` and nothing new starts.
   */
  async send(event: NewEvent, options: { idempotencyKey?: string } = {}): Promise<{ event: Event; created: boolean }> {
    const headers = options.idempotencyKey === undefined ? {} : { 'Idempotency-Key': options.idempotencyKey };
    const pending = this.http.POST('/v1/events', { body: event, params: { header: headers } });
    const { response } = await pending;
    return { event: await unwrap(pending), created: response.status === 202 };
  }

  /** Sends up to 1,000 events at once: one result per event, in order; a bad one does not stop the others. */
  async sendBatch(events: NewEvent[]): Promise<BatchResult[]> {
    return (await unwrap(this.http.POST('/v1/events/batch', { body: { events } }))).results;
  }

  get(id: string): Promise<EventWithDeliveries> {
    return unwrap(this.http.GET('/v1/events/{id}', path(id)));
  }

  /** Cancels every delivery of the event that has not ended. */
  async cancel(id: string): Promise<void> {
    await unwrap(this.http.POST('/v1/events/{id}/cancel', path(id)));
  }
}

/** Receivers' endpoints: create, read, change, delete, rotate their secret, send them a test event. */
export class Subscriptions {
  constructor(private readonly http: HttpClient) {}

  /** Creates a subscription; the answer holds its signing secret, shown only here. */
  create(subscription: NewSubscription): Promise<SubscriptionWithSecret> {
    return unwrap(this.http.POST('/v1/subscriptions', { body: subscription }));
  }

  /** One page, newest first; custom header values are masked in lists. */
  list(query: SubscriptionQuery = {}): Promise<Page<Subscription>> {
    return unwrap(this.http.GET('/v1/subscriptions', { params: { query } }));
  }

  get(id: string): Promise<Subscription> {
    return unwrap(this.http.GET('/v1/subscriptions/{id}', path(id)));
  }

  /** Changes the given fields only; `status: 'active'` re-enables a disabled subscription. */
  update(id: string, changes: SubscriptionChanges): Promise<Subscription> {
    return unwrap(this.http.PATCH('/v1/subscriptions/{id}', { ...path(id), body: changes }));
  }

  async delete(id: string): Promise<void> {
    await unwrap(this.http.DELETE('/v1/subscriptions/{id}', path(id)));
  }

  /** A new signing secret (given or generated); the previous one keeps signing beside it for a grace window. */
  rotateSecret(id: string, rotation: SecretRotation = {}): Promise<SubscriptionWithSecret> {
    return unwrap(this.http.POST('/v1/subscriptions/{id}/secret/rotate', { ...path(id), body: rotation }));
  }

  /** Sends a test event to this endpoint only; follow it with `deliveries.list({ eventId })`. */
  sendTest(id: string, test: TestEvent = {}): Promise<Event> {
    return unwrap(this.http.POST('/v1/subscriptions/{id}/test', { ...path(id), body: test }));
  }
}

/** Deliveries (one per event and subscription) with their attempts; retry and cancel them. */
export class Deliveries {
  constructor(private readonly http: HttpClient) {}

  /** One page, newest first, narrowed by event, subscription, status, type or time. */
  list(query: DeliveryQuery = {}): Promise<Page<Delivery>> {
    return unwrap(this.http.GET('/v1/deliveries', { params: { query } }));
  }

  get(id: string): Promise<DeliveryWithAttempts> {
    return unwrap(this.http.GET('/v1/deliveries/{id}', path(id)));
  }

  /** Runs a delivery that has not succeeded again (a ConflictError while it is still running). */
  retry(id: string): Promise<Delivery> {
    return unwrap(this.http.POST('/v1/deliveries/{id}/retry', path(id)));
  }

  /** Cancels a delivery that has not ended (a ConflictError once it has). */
  cancel(id: string): Promise<Delivery> {
    return unwrap(this.http.POST('/v1/deliveries/{id}/cancel', path(id)));
  }

  /** Retries the failed (or cancelled) deliveries matching a filter, as a job that runs on; follow it with `retryJob`. */
  retryMatching(filter: BulkRetry): Promise<BulkRetryJob> {
    return unwrap(this.http.POST('/v1/deliveries/retry', { body: filter }));
  }

  /** A bulk retry job's progress: matched, started and skipped deliveries so far. */
  retryJob(id: string): Promise<BulkRetryJob> {
    return unwrap(this.http.GET('/v1/retries/{id}', path(id)));
  }
}

/** The platform's customers (operator token only): create them, issue their keys and portal links. */
export class Tenants {
  constructor(private readonly http: HttpClient) {}

  /** Creates the tenant, or updates it: the id is the platform's own for its customer. */
  put(id: string, tenant: TenantInput): Promise<Tenant> {
    return unwrap(this.http.PUT('/v1/tenants/{id}', { ...path(id), body: tenant }));
  }

  get(id: string): Promise<Tenant> {
    return unwrap(this.http.GET('/v1/tenants/{id}', path(id)));
  }

  /** Deletes the tenant: its subscriptions are disabled, its keys end, its open deliveries are cancelled. */
  async delete(id: string): Promise<void> {
    await unwrap(this.http.DELETE('/v1/tenants/{id}', path(id)));
  }

  /** Issues a key confined to the tenant; the answer holds the key, shown only here. */
  createKey(id: string, key: NewTenantKey = {}): Promise<TenantKeyWithSecret> {
    return unwrap(this.http.POST('/v1/tenants/{id}/keys', { ...path(id), body: key }));
  }

  /** A single-use link that opens the consumer portal for the tenant's own people. */
  createPortalLink(id: string, link: PortalLinkInput = {}): Promise<PortalLink> {
    return unwrap(this.http.POST('/v1/tenants/{id}/portal-sessions', { ...path(id), body: link }));
  }
}

/**
 * A producer's client of the webhook gateway. Its methods cover what a producer does day to day;
 * `http` reaches every other route, typed from the same OpenAPI document. Every answer of 400 or
 * more is thrown as a WebhooksApiError (NotFoundError, InvalidRequestError …).
 */
export class WebhooksClient {
  readonly http: HttpClient;
  readonly events: Events;
  readonly subscriptions: Subscriptions;
  readonly deliveries: Deliveries;
  readonly tenants: Tenants;

  constructor(options: WebhooksClientOptions) {
    this.http = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
      ...(options.fetch && { fetch: options.fetch }),
    });
    this.events = new Events(this.http);
    this.subscriptions = new Subscriptions(this.http);
    this.deliveries = new Deliveries(this.http);
    this.tenants = new Tenants(this.http);
  }
}
