import type { paths } from './openapi-types';

/**
 * Names for the shapes the API takes and answers, read out of the generated `paths` so that they
 * change with the OpenAPI document and never drift from it.
 */

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON body an operation answers with `status`. */
type Answer<O, S extends number> = O extends { responses: { [K in S]: { content: { 'application/json': infer T } } } } ? T : never;

/** The JSON body an operation takes. */
type Body<O> = O extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

/** The query parameters an operation takes. */
type Query<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Event = Answer<Operation<'/v1/events', 'post'>, 202>;
export type NewEvent = Body<Operation<'/v1/events', 'post'>>;
export type EventWithDeliveries = Answer<Operation<'/v1/events/{id}', 'get'>, 200>;
export type BatchResult = Answer<Operation<'/v1/events/batch', 'post'>, 207>['results'][number];

export type Subscription = Answer<Operation<'/v1/subscriptions/{id}', 'get'>, 200>;
/** A subscription as created or rotated: with its signing secret, shown only then. */
export type SubscriptionWithSecret = Answer<Operation<'/v1/subscriptions', 'post'>, 201>;
export type NewSubscription = Body<Operation<'/v1/subscriptions', 'post'>>;
export type SubscriptionChanges = Body<Operation<'/v1/subscriptions/{id}', 'patch'>>;
export type SubscriptionQuery = Query<Operation<'/v1/subscriptions', 'get'>>;
export type SecretRotation = Body<Operation<'/v1/subscriptions/{id}/secret/rotate', 'post'>>;
export type TestEvent = Body<Operation<'/v1/subscriptions/{id}/test', 'post'>>;

export type Delivery = Answer<Operation<'/v1/deliveries/{id}/retry', 'post'>, 202>;
export type DeliveryWithAttempts = Answer<Operation<'/v1/deliveries/{id}', 'get'>, 200>;
export type Attempt = DeliveryWithAttempts['attempts'][number];
export type DeliveryQuery = Query<Operation<'/v1/deliveries', 'get'>>;
export type BulkRetry = Body<Operation<'/v1/deliveries/retry', 'post'>>;
export type BulkRetryJob = Answer<Operation<'/v1/deliveries/retry', 'post'>, 202>;
export type Replay = Answer<Operation<'/v1/replays/{id}', 'get'>, 200>;

export type Tenant = Answer<Operation<'/v1/tenants/{id}', 'get'>, 200>;
export type TenantInput = Body<Operation<'/v1/tenants/{id}', 'put'>>;
export type NewTenantKey = Body<Operation<'/v1/tenants/{id}/keys', 'post'>>;
/** A tenant key as issued: with the key itself, shown only then. */
export type TenantKeyWithSecret = Answer<Operation<'/v1/tenants/{id}/keys', 'post'>, 201>;
export type PortalLinkInput = Body<Operation<'/v1/tenants/{id}/portal-sessions', 'post'>>;
export type PortalLink = Answer<Operation<'/v1/tenants/{id}/portal-sessions', 'post'>, 201>;

/** One page of a list, newest first; pass `nextCursor` as `cursor` for the next one (null: the last). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
