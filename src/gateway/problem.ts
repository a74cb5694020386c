import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import {
  ConflictError,
  DependencyUnavailableError,
  DispatchBacklogFullError,
  ExpiredError,
  ForbiddenError,
  HealthCheckFailedError,
  MalformedBodyError,
  NotFoundError,
  PayloadTooLargeError,
  QuotaExceededError,
  RequestRejectedError,
  TemporalUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../model/errors';
import type { Logger } from '../core/logger';
import type { Problem } from '../model';
import type { GatewayMetrics } from '../metrics';
import { isTemporalUnavailable } from '../temporal/deadline';

export type { Problem };

type ErrorClass = abstract new (...args: never[]) => Error;

/** The one place failure kinds become HTTP statuses. */
const STATUS_BY_ERROR: [ErrorClass, number, string][] = [
  [ValidationError, 400, 'Invalid request'],
  [MalformedBodyError, 400, 'Malformed JSON'],
  [UnauthorizedError, 401, 'Unauthorized'],
  [ForbiddenError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not found'],
  [ConflictError, 409, 'Conflict'],
  [ExpiredError, 410, 'Gone'],
  [PayloadTooLargeError, 413, 'Payload too large'],
  [UnsupportedMediaTypeError, 415, 'Unsupported media type'],
  [QuotaExceededError, 429, 'Too many requests'],
  [DependencyUnavailableError, 503, 'Service unavailable'],
];

function statusOf(err: Error): { status: number; title: string } | undefined {
  if (err instanceof RequestRejectedError) return { status: err.status, title: STATUS_CODES[err.status] ?? 'Bad request' };
  const match = STATUS_BY_ERROR.find(([cls]) => err instanceof cls);
  return match && { status: match[1], title: match[2] };
}

export function toProblem(err: Error): Problem {
  const known = statusOf(err);
  if (!known) return { type: 'about:blank', title: 'Internal error', status: 500, detail: 'An unexpected error occurred.' };
  return {
    type: 'about:blank',
    ...known,
    detail: err.message,
    ...((err instanceof ValidationError || err instanceof UnsupportedMediaTypeError) && { errors: err.fields }),
    ...(err instanceof HealthCheckFailedError && { checks: err.checks }),
    ...(err instanceof QuotaExceededError && quotaFields(err)),
  };
}

/** A quota's 429 names the limit twice: `limit`, and an `errors` entry for clients that read fields. */
function quotaFields(err: QuotaExceededError): Pick<Problem, 'limit' | 'errors'> {
  return { limit: err.limit, errors: [{ in: 'quota', field: `limits.${err.limit}`, message: `is ${err.max}; retry after ${err.retryAfterSeconds} s` }] };
}

export function sendProblem(res: Parameters<RequestHandler>[1], problem: Problem): void {
  if (problem.status === 401) res.setHeader('www-authenticate', 'Bearer');
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** http-errors' client errors (express, body-parser): a 4xx `status` or `statusCode`, and `expose`. */
function libraryClientError(err: unknown): RequestRejectedError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { status, statusCode, expose } = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499) return undefined;
  return new RequestRejectedError(code, expose === true ? err.message : (STATUS_CODES[code] ?? 'Bad request'));
}

/** body-parser's errors by their `type`, and the router's failure to decode a path parameter. */
function parserError(err: unknown): Error | undefined {
  switch ((err as { type?: unknown } | null)?.type) {
    case 'entity.parse.failed':
      return new MalformedBodyError();
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('content-type', 'must have charset utf-8 (JSON is UTF-8)');
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError('content-encoding', 'must be gzip, deflate, br or identity');
  }
  // validatePathParams catches these first; this is the net for a path it did not recognise.
  if (err instanceof URIError) return new ValidationError([{ in: 'path', field: '', message: 'is not valid percent-encoding' }]);
  return undefined;
}

/**
 * Turns what libraries throw into our errors: body-parser's and express's client errors (their
 * 4xx kept, never a 500), and the Temporal client's when the server is unreachable or too slow
 * (whichever route called it, and without its gRPC text).
 */
function ownError(err: unknown): Error {
  if (err instanceof Error && statusOf(err)) return err;
  const parsed = parserError(err);
  if (parsed) return parsed;
  if (isTemporalUnavailable(err)) return new TemporalUnavailableError(err);
  return libraryClientError(err) ?? (err instanceof Error ? err : new Error(String(err)));
}

/** A confirmation URL's token is a capability: it stays out of the logs. */
function loggedPath(req: Request): string {
  return `${req.baseUrl}${req.path}`.replace(/^(\/v1\/confirmations\/)[^/]+/i, '$1[redacted]');
}

/**
 * Every error into problem+json. A client's mistake is logged at info (no stack), a dependency
 * being down is a warning; only what we did not foresee is an error.
 */
export function problemHandler(logger: Logger, metrics?: Pick<GatewayMetrics, 'quotaRefused'>): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    // Too late for a problem document: express's own handler ends the response.
    if (res.headersSent) return next(err);
    const error = ownError(err);
    const problem = toProblem(error);
    if (error instanceof DispatchBacklogFullError) res.setHeader('retry-after', String(error.retryAfterSeconds));
    if (error instanceof QuotaExceededError) {
      res.setHeader('retry-after', String(error.retryAfterSeconds));
      if (error.limit !== 'attemptsInFlight') metrics?.quotaRefused(error.limit);
    }
    const context = { method: req.method, path: loggedPath(req), status: problem.status };
    if (problem.status === 503) logger.warn({ err: error, ...context }, 'dependency unavailable');
    else if (problem.status >= 500) logger.error({ err: error, ...context }, 'request failed');
    else logger.info({ ...context, title: problem.title, errors: problem.errors }, 'request rejected');
    sendProblem(res, problem);
  };
}
