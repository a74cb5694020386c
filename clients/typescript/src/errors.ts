/** One bad value named by a problem: where it is, its dotted path (`events.3.tenantId`) and what is wrong. */
export interface FieldError {
  /** body, query, header or path; `quota` for a tenant's limit reached (429). */
  in: string;
  field: string;
  message: string;
}

/** An RFC 9457 problem document, as the gateway answers every error (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: FieldError[];
  /** A 429: the tenant's limit that was reached, e.g. `requestsPerSecond`. */
  limit?: string;
}

/**
 * Every answer of 400 or more, thrown with its problem's fields. Catch this class for any API
 * error, or one of its subclasses (NotFoundError, ConflictError …) for one status.
 */
export class WebhooksApiError extends Error implements Problem {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** The bad values, for a 400 (and a 415, 429); empty otherwise. */
  readonly errors: FieldError[];
  readonly limit?: string;
  /** Retry-After in seconds, on a 429 or 503: when trying again may succeed. */
  readonly retryAfterSeconds?: number;

  constructor(problem: Problem, retryAfterSeconds?: number) {
    const fields = problem.errors.map((e) => `${e.field || e.in}: ${e.message}`);
    super(`${problem.status} ${problem.title}: ${problem.detail}${fields.length > 0 ? ` (${fields.join('; ')})` : ''}`);
    this.name = new.target.name;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors;
    if (problem.limit !== undefined) this.limit = problem.limit;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The error about one field, by its dotted path (`url`, `events.3.tenantId`); undefined if none. */
  fieldError(field: string): FieldError | undefined {
    return this.errors.find((e) => e.field === field);
  }
}

/** 400: the request was refused as it is; `errors` names each bad value. */
export class InvalidRequestError extends WebhooksApiError {}
/** 401: no key, or one the gateway does not know (revoked, expired). */
export class AuthenticationError extends WebhooksApiError {}
/** 403: the key is valid but may not call this route (a tenant key on an operator route). */
export class PermissionDeniedError extends WebhooksApiError {}
/** 404: no such resource, or one of another tenant's (answered the same, on purpose). */
export class NotFoundError extends WebhooksApiError {}
/** 409: the resource's state refuses the change (an event id taken by other content, a delivery still running). */
export class ConflictError extends WebhooksApiError {}
/** 429: a tenant limit was reached; see `limit` and `retryAfterSeconds`. */
export class RateLimitError extends WebhooksApiError {}
/** 503: Temporal or the ledger is unavailable, or intake is backed up; try again after `retryAfterSeconds`. */
export class ServiceUnavailableError extends WebhooksApiError {}

const ERROR_BY_STATUS: Record<number, typeof WebhooksApiError> = {
  400: InvalidRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  429: RateLimitError,
  503: ServiceUnavailableError,
};

const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

/** The field errors of a problem body, keeping only well-formed entries. */
function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const { in: where, field, message } = e as Record<string, unknown>;
    return [{ in: text(where, ''), field: text(field, ''), message: text(message, '') }];
  });
}

/**
 * The error for a failed answer. Its body is read defensively: a proxy in front of the gateway may
 * answer with HTML or nothing, and that must still become a WebhooksApiError, never a TypeError.
 */
export function apiErrorFrom(response: Response, body: unknown): WebhooksApiError {
  const fields: Record<string, unknown> = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const title = text(fields.title, response.statusText || `HTTP ${response.status}`);
  const problem: Problem = {
    type: text(fields.type, 'about:blank'),
    title,
    status: response.status,
    detail: text(fields.detail, typeof body === 'string' && body !== '' ? body.slice(0, 500) : title),
    errors: fieldErrors(fields.errors),
    ...(typeof fields.limit === 'string' && { limit: fields.limit }),
  };
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  const ErrorClass = ERROR_BY_STATUS[response.status] ?? WebhooksApiError;
  return new ErrorClass(problem, Number.isFinite(retryAfter) ? retryAfter : undefined);
}
