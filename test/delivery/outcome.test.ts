import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Answer, judgeAttempt, type Judgement, type Verdict } from '../../src/delivery/outcome';

const noJitter = () => 0.5; // the jitter term is zero at 0.5
const now = Date.parse('2026-11-28T10:00:00Z');
const schedule = [0, 5_000, 300_000];
const at = (used: number, extra: Partial<Judgement> = {}): Judgement => ({
  cursor: { schedule, used },
  confirmationRequired: false,
  endpointDisabled: false,
  now,
  random: noJitter,
  ...extra,
});
const response = (statusCode: number, retryAfter?: string): Answer => ({ kind: 'response', statusCode, retryAfter });

test('an attempt is judged by its answer and its place in the schedule', () => {
  const table: [string, Answer, Judgement, Verdict][] = [
    ['2xx', response(204), at(1), { outcome: 'succeeded' }],
    ['2xx that must be confirmed', response(202), at(1, { confirmationRequired: true }), { outcome: 'awaiting_confirmation' }],
    ['a 2xx even on the last attempt', response(200), at(3), { outcome: 'succeeded' }],
    ['500 on attempt 1: the schedule’s second delay', response(500), at(1), { outcome: 'retry', delayMs: 5_000 }],
    ['a network error counts as a failure', { kind: 'error' }, at(2), { outcome: 'retry', delayMs: 300_000 }],
    ['500 on the last attempt', response(500), at(3), { outcome: 'exhausted' }],
    ['410 Gone ends it at once', response(410), at(1), { outcome: 'gone' }],
    ['a redirect is a failure', response(302), at(1), { outcome: 'retry', delayMs: 5_000 }],
    ['429 with Retry-After in seconds waits at least that', response(429, '60'), at(1), { outcome: 'retry', delayMs: 60_000 }],
    ['503 with an HTTP date', response(503, 'Sat, 28 Nov 2026 10:02:00 GMT'), at(1), { outcome: 'retry', delayMs: 120_000 }],
    ['Retry-After never shortens the schedule', response(429, '1'), at(2), { outcome: 'retry', delayMs: 300_000 }],
    ['Retry-After is capped at one hour', response(503, '86400'), at(1), { outcome: 'retry', delayMs: 3_600_000 }],
    ['Retry-After on a 500 is ignored', response(500, '60'), at(1), { outcome: 'retry', delayMs: 5_000 }],
    ['Retry-After does not extend a used-up schedule', response(429, '60'), at(3), { outcome: 'exhausted' }],
    ['the endpoint was just disabled for failing too long', response(500), at(1, { endpointDisabled: true }), { outcome: 'exhausted' }],
  ];
  for (const [why, answer, judgement, expected] of table) assert.deepEqual(judgeAttempt(answer, judgement), expected, why);
});
