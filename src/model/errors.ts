/** One error type per failure kind. The gateway maps them to HTTP in one place (gateway/problem.ts). */

import type { TenantLimits } from './index';

import type { FieldError } from './common';

export type { FieldError };

export class ValidationError extends Error {
  constructor(readonly fields: FieldError[]) {
    super(`Invalid request: ${fields.map((f) => `${f.field || f.in}: ${f.message}`).join('; ')}`);
    this.name = 'ValidationError';
  }
}

export class MalformedBodyError extends Error {
  constructor() {
    super('The request body is not valid JSON.');
    this.name = 'MalformedBodyError';
  }
}

export class UnauthorizedError extends Error {
  constructor() {
    super('A valid `Authorization: Bearer <token>` header (the API token or a tenant key) or portal session is required.');
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** Something that existed is gone for good: an expired link, a confirmation that came too late. */
export class ExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpiredError';
  }
}

export class NotFoundError extends Error {
  constructor(kind: string, id: string) {
    super(`No ${kind} with id ${id}.`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends Error {
  constructor(limit: string) {
    super(`The request body is larger than ${limit}.`);
    this.name = 'PayloadTooLargeError';
  }
}

/**
 * A tenant's caller went over one of its tenant's limits (model/tenants.ts, TENANT_LIMIT_DEFAULTS). Nothing
 * was done; `retryAfterSeconds` says when trying again may succeed.
 */
export class QuotaExceededError extends Error {
  constructor(
    readonly limit: keyof TenantLimits,
    readonly max: number,
    readonly retryAfterSeconds: number,
    detail: string,
  ) {
    super(`Over the tenant's ${limit} limit (${max}): ${detail}`);
    this.name = 'QuotaExceededError';
  }
}

export class DependencyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

/**
 * Intake refused: more accepted events wait for their fan-out than DISPATCH_BACKLOG_LIMIT allows.
 * Nothing was written; `retryAfterSeconds` is sent as Retry-After.
 */
export class DispatchBacklogFullError extends DependencyUnavailableError {
  constructor(
    readonly backlog: number,
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`${backlog} accepted events are waiting to be dispatched (the limit is ${limit}); nothing was recorded, retry after ${retryAfterSeconds} s.`);
    this.name = 'DispatchBacklogFullError';
  }
}

/**
 * Temporal could not be reached or did not answer in time. The detail is the same whatever the
 * cause: the gRPC text names addresses and internals, which stay in the logs (via `cause`).
 */
export class TemporalUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('Temporal is unavailable; try again shortly.');
    this.name = 'TemporalUnavailableError';
    this.cause = cause;
  }
}

export type HealthCheck = 'ok' | 'unavailable';

/** "Temporal is unavailable.", "The ledger and Temporal are unavailable." */
function describeDown(checks: Record<string, HealthCheck>): string {
  const down = Object.keys(checks)
    .filter((name) => checks[name] !== 'ok')
    .map((name) => (name === 'temporal' ? 'Temporal' : `the ${name}`));
  const list = down.join(' and ');
  return `${list.charAt(0).toUpperCase()}${list.slice(1)} ${down.length > 1 ? 'are' : 'is'} unavailable.`;
}

/** GET /healthz found a dependency down; `checks` names each one's state, never its error text. */
export class HealthCheckFailedError extends DependencyUnavailableError {
  constructor(readonly checks: Record<string, HealthCheck>) {
    super(describeDown(checks));
    this.name = 'HealthCheckFailedError';
  }
}

/** The request body is in a media type, charset or content encoding the API does not read (JSON in UTF-8 only). */
export class UnsupportedMediaTypeError extends Error {
  readonly fields: FieldError[];
  constructor(header: 'content-type' | 'content-encoding', message: string) {
    super(`The request body must be JSON in UTF-8: ${header} ${message}.`);
    this.name = 'UnsupportedMediaTypeError';
    this.fields = [{ in: 'header', field: header, message }];
  }
}

/**
 * A client error that an HTTP library (express, body-parser) raised itself, e.g. a body shorter
 * than its content-length: its own 4xx status is kept.
 */
export class RequestRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestRejectedError';
  }
}
