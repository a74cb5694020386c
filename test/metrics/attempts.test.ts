import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AttemptAnswer, firstAttemptLagSeconds, STATUS_CLASSES, type StatusClass, statusClassOf } from '../../src/metrics/attempts';

const response = (statusCode: number): AttemptAnswer => ({ kind: 'response', statusCode });
const error = (message: string): AttemptAnswer => ({ kind: 'error', error: message });

test('statusClassOf: every answer maps to one of the closed set of classes', () => {
  const table: [AttemptAnswer, boolean, StatusClass][] = [
    [response(200), false, '2xx'],
    [response(204), false, '2xx'],
    [response(299), false, '2xx'],
    [response(301), false, '3xx'],
    [response(400), false, '4xx'],
    [response(410), false, '4xx'],
    [response(429), false, '4xx'],
    [response(500), false, '5xx'],
    [response(503), false, '5xx'],
    [response(599), false, '5xx'],
    [response(600), false, 'other_status'],
    [response(101), false, 'other_status'],
    // The fixed phrases of src/http/network-error.ts:
    [error('timed out after 15000 ms'), false, 'timeout'],
    [error('connect timed out'), false, 'timeout'],
    [error('timed out waiting for the answer'), false, 'timeout'],
    [error('timed out reading the answer'), false, 'timeout'],
    [error('TLS handshake failed: certificate expired'), false, 'tls'],
    [error('TLS handshake failed'), false, 'tls'],
    [error('refused: non-public address'), false, 'blocked'],
    [error('connection refused'), false, 'network'],
    [error('DNS lookup failed'), false, 'network'],
    [error('network error (EWHATEVER)'), false, 'network'],
    [error('network error'), false, 'network'],
    // Cut short by a cancellation: whatever came back, it says nothing about the receiver.
    [error('timed out after 30000 ms'), true, 'cancelled'],
    [response(200), true, 'cancelled'],
  ];
  for (const [answer, cancelled, expected] of table) {
    const got = statusClassOf(answer, cancelled);
    assert.equal(got, expected, `${JSON.stringify(answer)} cancelled=${cancelled}`);
    assert.ok(STATUS_CLASSES.includes(got));
  }
});

test('firstAttemptLagSeconds: only a first attempt, never a backfill, never negative', () => {
  const accepted = '2025-01-01T00:00:00.000Z';
  const at = (iso: string) => Date.parse(iso);
  const table: [string, Parameters<typeof firstAttemptLagSeconds>[0], number | undefined][] = [
    ['first attempt 150 ms after acceptance', { attempt: 1, eventAcceptedAt: accepted, subscriptionCreatedAt: '2024-12-31T00:00:00.000Z', startedAt: at('2025-01-01T00:00:00.150Z') }, 0.15],
    ['a retry says nothing about the lag', { attempt: 2, eventAcceptedAt: accepted, subscriptionCreatedAt: '2024-12-31T00:00:00.000Z', startedAt: at('2025-01-01T00:00:10.000Z') }, undefined],
    ['a subscription created after the event (a replay backfilling it)', { attempt: 1, eventAcceptedAt: accepted, subscriptionCreatedAt: '2025-01-03T00:00:00.000Z', startedAt: at('2025-01-03T00:00:01.000Z') }, undefined],
    ['created in the same millisecond counts', { attempt: 1, eventAcceptedAt: accepted, subscriptionCreatedAt: accepted, startedAt: at('2025-01-01T00:00:01.000Z') }, 1],
    ['clock skew between gateway and worker reads as 0, not negative', { attempt: 1, eventAcceptedAt: accepted, subscriptionCreatedAt: '2024-12-31T00:00:00.000Z', startedAt: at('2024-12-31T23:59:59.990Z') }, 0],
    ['an unreadable acceptance time', { attempt: 1, eventAcceptedAt: 'garbage', subscriptionCreatedAt: accepted, startedAt: at(accepted) }, undefined],
  ];
  for (const [what, input, expected] of table) assert.equal(firstAttemptLagSeconds(input), expected, what);
});
