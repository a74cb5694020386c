import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/core/duration';
import {
  nextRetryDelayMs,
  parseRetryAfter,
  RETRY_AFTER_CAP_MS,
  STANDARD_RETRY_SCHEDULE_MS,
} from '../../src/delivery/retry-schedule';

test('the default schedule is the Standard Webhooks one', () => {
  assert.deepEqual(
    STANDARD_RETRY_SCHEDULE_MS,
    ['0', '5s', '5m', '30m', '2h', '5h', '10h', '14h', '20h', '24h'].map((d) => parseDuration(d)),
  );
});

test('the delay after attempt n is the schedule entry for attempt n+1, jittered by at most 20%', () => {
  assert.equal(nextRetryDelayMs(STANDARD_RETRY_SCHEDULE_MS, 1, { random: () => 0.5 }), 5_000);
  assert.equal(nextRetryDelayMs(STANDARD_RETRY_SCHEDULE_MS, 2, { random: () => 1 }), 360_000);
  assert.equal(nextRetryDelayMs(STANDARD_RETRY_SCHEDULE_MS, 2, { random: () => 0 }), 240_000);
  assert.equal(nextRetryDelayMs(STANDARD_RETRY_SCHEDULE_MS, 10), undefined, 'no attempt after the last');
});

test('Retry-After lengthens the delay but is capped', () => {
  const schedule = [0, 1000, 1000];
  assert.equal(nextRetryDelayMs(schedule, 1, { random: () => 0.5, retryAfterMs: 60_000 }), 60_000);
  assert.equal(nextRetryDelayMs(schedule, 1, { random: () => 0.5, retryAfterMs: 10 }), 1000, 'never shorter than the schedule');
  assert.equal(nextRetryDelayMs(schedule, 1, { random: () => 0.5, retryAfterMs: 10 * RETRY_AFTER_CAP_MS }), RETRY_AFTER_CAP_MS);
});

test('durations and Retry-After headers parse', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration(1500), 1500);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration(-1), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('garbage', now), undefined);
});
