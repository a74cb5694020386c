/**
 * Where a delivery run stands in its retry schedule: the schedule it follows and how many of its
 * attempts are spent. The deliver activity, the confirmation timeout and the delivery workflow
 * all move through the schedule with this one type. Pure (workflows import it).
 */
import { nextRetryDelayMs } from './retry-schedule';

export interface ScheduleCursor {
  /** Delay before each attempt of this stretch of the schedule. */
  schedule: readonly number[];
  /** Attempts of `schedule` already made, the one being judged included. */
  used: number;
}

/** Delay before the next attempt, or undefined when the schedule is used up. */
export function nextDelayMs(cursor: ScheduleCursor, opts: { retryAfterMs?: number; random?: () => number } = {}): number | undefined {
  return nextRetryDelayMs(cursor.schedule, cursor.used, opts);
}
