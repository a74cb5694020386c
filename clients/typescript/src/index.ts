export { Deliveries, Events, type HttpClient, Subscriptions, Tenants, unwrap, WebhooksClient, type WebhooksClientOptions } from './client';
export {
  AuthenticationError,
  ConflictError,
  type FieldError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  type Problem,
  RateLimitError,
  ServiceUnavailableError,
  WebhooksApiError,
} from './errors';
export type { components, paths } from './openapi-types';
export type * from './types';
