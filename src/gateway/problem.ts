import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  ConflictError,
  DependencyUnavailableError,
  ExpiredError,
  type FieldError,
  ForbiddenError,
  type HealthCheck,
  HealthCheckFailedError,
  MalformedBodyError,
  NotFoundError,
  PayloadTooLargeError,
  TemporalUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../errors';
import type { Logger } from '../logger';
import { isTemporalUnavailable } from '../temporal/deadline';

/** RFC 9457 problem details, with the failing fields for validation errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** GET /healthz: each dependency's state. */
  checks?: Record<string, HealthCheck>;
}

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
  [DependencyUnavailableError, 503, 'Service unavailable'],
];

export function toProblem(err: Error): Problem {
  const match = STATUS_BY_ERROR.find(([cls]) => err instanceof cls);
  if (!match) return { type: 'about:blank', title: 'Internal error', status: 500, detail: 'An unexpected error occurred.' };
  const [, status, title] = match;
  return {
    type: 'about:blank',
    title,
    status,
    detail: err.message,
    ...(err instanceof ValidationError && { errors: err.fields }),
    ...(err instanceof HealthCheckFailedError && { checks: err.checks }),
  };
}

export function sendProblem(res: Parameters<RequestHandler>[1], problem: Problem): void {
  if (problem.status === 401) res.setHeader('www-authenticate', 'Bearer');
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/**
 * Turns what libraries throw into our errors: body-parser's, and the Temporal client's when the
 * server is unreachable or too slow (whichever route called it, and without its gRPC text).
 */
function ownError(err: unknown): Error {
  const parserType = (err as { type?: string } | null)?.type;
  if (parserType === 'entity.too.large') return new PayloadTooLargeError('256 KiB');
  if (parserType === 'entity.parse.failed') return new MalformedBodyError();
  if (!(err instanceof DependencyUnavailableError) && isTemporalUnavailable(err)) return new TemporalUnavailableError(err);
  return err instanceof Error ? err : new Error(String(err));
}

/** Every error into problem+json. A dependency being down is expected now and then: a warning, not an error. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const error = ownError(err);
    const problem = toProblem(error);
    if (problem.status === 503) logger.warn({ err: error, method: req.method, path: req.path }, 'dependency unavailable');
    else if (problem.status >= 500) logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    sendProblem(res, problem);
  };
}
