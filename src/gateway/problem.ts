import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  ConflictError,
  DependencyUnavailableError,
  ExpiredError,
  type FieldError,
  ForbiddenError,
  MalformedBodyError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '../errors';
import type { Logger } from '../logger';

/** RFC 9457 problem details, with the failing fields for validation errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
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
  };
}

export function sendProblem(res: Parameters<RequestHandler>[1], problem: Problem): void {
  if (problem.status === 401) res.setHeader('www-authenticate', 'Bearer');
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** Turns body-parser's errors into ours, then every error into problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const parserType = (err as { type?: string } | null)?.type;
    const error =
      parserType === 'entity.too.large'
        ? new PayloadTooLargeError('256 KiB')
        : parserType === 'entity.parse.failed'
          ? new MalformedBodyError()
          : err instanceof Error
            ? err
            : new Error(String(err));
    const problem = toProblem(error);
    if (problem.status >= 500) logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    sendProblem(res, problem);
  };
}
