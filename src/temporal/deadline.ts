import {
  type ConnectionOptions,
  defaultGrpcRetryOptions,
  type GrpcRetryOptions,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];
type GrpcStatus = Parameters<GrpcRetryOptions['retryableDecider']>[1];

/**
 * gRPC status codes (fixed by the gRPC spec). UNAVAILABLE: no connection (refused, reset, server
 * gone); DEADLINE_EXCEEDED: no answer in time (a hung or unreachable server, packets dropped).
 */
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** A gateway request must answer within 5 s, so one Temporal call gets at most 4 s unless it says otherwise. */
export const DEFAULT_CALL_DEADLINE_MS = 4_000;
/** A retry is only worth starting if the call then still has this long to get an answer. */
const MIN_ATTEMPT_MS = 1_000;

function toEpochMs(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/**
 * The SDK's retry policy (backoff from 100 ms, retryable codes), except that it gives up when the
 * next attempt could not finish before the call's deadline: with the SDK's default it retries an
 * unreachable server for ~20 s, and each retry beyond the deadline fails at once anyway.
 */
function retryWithinDeadline(deadlineMs: number): GrpcRetryOptions {
  const sdk = defaultGrpcRetryOptions();
  let nextDelay = 0;
  return {
    retryableDecider(attempt: number, status: GrpcStatus) {
      if (!sdk.retryableDecider(attempt, status)) return false;
      nextDelay = sdk.delayFunction(attempt, status);
      return Date.now() + nextDelay + MIN_ATTEMPT_MS <= deadlineMs;
    },
    delayFunction: () => nextDelay,
  };
}

/**
 * Gives every call without a deadline one of `defaultMs` (calls made under
 * `connection.withDeadline`, e.g. a long poll for a workflow's result, keep theirs; a long poll
 * needs one, or it fails at the default), then retries it within that deadline only.
 */
export function deadlineInterceptor(defaultMs = DEFAULT_CALL_DEADLINE_MS): Interceptor {
  return (options, nextCall) => {
    const deadline = options.deadline === undefined ? Date.now() + defaultMs : toEpochMs(options.deadline);
    // A fresh retry interceptor per call: its decider needs this call's deadline.
    return makeGrpcRetryInterceptor(retryWithinDeadline(deadline))({ ...options, deadline }, nextCall);
  };
}

/** True if `err`, or an error it wraps, says Temporal could not be reached or did not answer in time. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && (e.code === UNAVAILABLE || e.code === DEADLINE_EXCEEDED)) return true;
  }
  return false;
}
