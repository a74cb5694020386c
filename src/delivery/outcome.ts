/**
 * What one attempt's answer means for its delivery: the outcome rules, in one pure function
 * (the table in test/delivery/outcome.test.ts is the spec).
 */
import { parseRetryAfter } from './retry-schedule';
import { nextDelayMs, type ScheduleCursor } from './schedule-cursor';

/** What came back from the receiver, as far as the rules care. */
export type Answer = { kind: 'response'; statusCode: number; retryAfter?: string } | { kind: 'error' };

export interface Judgement {
  /** Position after this attempt: `used` counts it. */
  cursor: ScheduleCursor;
  /** The subscription wants each 2xx confirmed before the delivery counts as done. */
  confirmationRequired: boolean;
  /** This failure just disabled the subscription (endpoint health): no further attempts. */
  endpointDisabled: boolean;
  now: number;
  random?: () => number;
}

export type Verdict =
  | { outcome: 'succeeded' }
  | { outcome: 'awaiting_confirmation' }
  /** 410 Gone: no more attempts, and the subscription is disabled. */
  | { outcome: 'gone' }
  | { outcome: 'retry'; delayMs: number }
  /** Failed, and no attempt is left (or the endpoint was disabled). */
  | { outcome: 'exhausted' };

const isSuccess = (answer: Answer) => answer.kind === 'response' && answer.statusCode >= 200 && answer.statusCode < 300;

/** Only these statuses are taken to mean "come back later" by their Retry-After. */
const HONOURS_RETRY_AFTER = [429, 503];

export function judgeAttempt(answer: Answer, j: Judgement): Verdict {
  if (isSuccess(answer)) return { outcome: j.confirmationRequired ? 'awaiting_confirmation' : 'succeeded' };
  if (answer.kind === 'response' && answer.statusCode === 410) return { outcome: 'gone' };
  if (j.endpointDisabled) return { outcome: 'exhausted' };
  const retryAfterMs =
    answer.kind === 'response' && HONOURS_RETRY_AFTER.includes(answer.statusCode) ? parseRetryAfter(answer.retryAfter, j.now) : undefined;
  const delayMs = nextDelayMs(j.cursor, { retryAfterMs, random: j.random });
  return delayMs === undefined ? { outcome: 'exhausted' } : { outcome: 'retry', delayMs };
}
