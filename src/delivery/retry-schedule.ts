/**
 * Retry timing. Pure functions only: imported by workflows (to size the retry policy) and by
 * activities (to pick the next delay), so no Node built-ins here.
 */

/**
 * The Standard Webhooks schedule: delay before each attempt. Attempt 1 goes out at once, the last
 * one about three days after the event.
 */
export const STANDARD_RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

/** A Retry-After longer than this is cut to it, so one receiver cannot park a delivery for weeks. */
export const RETRY_AFTER_CAP_MS = 3_600_000;

/** Spreads retries by ±20% so receivers that failed together do not get hit together again. */
export const JITTER_RATIO = 0.2;

/**
 * Delay before the attempt after `failedAttempt` (1-based), or undefined when the schedule is used up.
 * `random` is injected so the function stays pure and testable.
 */
export function nextRetryDelayMs(
  schedule: readonly number[],
  failedAttempt: number,
  opts: { retryAfterMs?: number; random?: () => number } = {},
): number | undefined {
  const base = schedule[failedAttempt];
  if (base === undefined) return undefined;
  const jitter = base * JITTER_RATIO * ((opts.random ?? Math.random)() * 2 - 1);
  const scheduled = Math.max(0, Math.round(base + jitter));
  if (opts.retryAfterMs === undefined) return scheduled;
  return Math.max(scheduled, Math.min(opts.retryAfterMs, RETRY_AFTER_CAP_MS));
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
