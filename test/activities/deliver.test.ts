import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDeliver } from '../../activities/deliver';
import { takeAttemptCapacity } from '../../activities/deliver/limits';
import type { WebhookTransport } from '../../activities/deliver/transport';
import type { WebhookResponse } from '../../src/http/send-webhook';
import { createLogger } from '../../src/core/logger';
import { type DeliveryWorkflowInput, FailureType } from '../../src/contract';
import { useLedger } from '../helpers/database';

// The deliver activity in a mock activity context, against a real ledger and a scripted transport:
// each phase's bookkeeping without a Temporal server (the workflows/ tests run it for real).
const ledger = useLedger();

/** A transport that answers from a script and counts what it was asked to send. */
function scripted(...answers: WebhookResponse[]): WebhookTransport & { sent: number } {
  return {
    sent: 0,
    async send() {
      return answers[this.sent++] ?? { kind: 'error', error: 'no answer scripted', durationMs: 0 };
    },
  };
}
const ok: WebhookResponse = { kind: 'response', statusCode: 200, retryAfter: undefined, body: 'ok', durationMs: 3 };
const status = (statusCode: number): WebhookResponse => ({ kind: 'response', statusCode, retryAfter: undefined, body: '', durationMs: 3 });

async function setup(extra: { maxConcurrency?: number } = {}) {
  const sub = await ledger.subscriptions.create({ tenantId: 'default', url: 'https://receiver.example/hook', eventTypes: ['unit.*'], secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3', ...extra });
  const { event } = await ledger.events.insert({ tenantId: 'default', id: `evt_${Math.random().toString(36).slice(2)}`, type: 'unit.test', data: { n: 1 } });
  await ledger.events.recordFanOut(event.id, 100, 'event:unit');
  const [delivery] = await ledger.deliveries.listForEvent(event.id);
  const input: DeliveryWorkflowInput = {
    deliveryId: delivery!.id,
    subscriptionId: sub.id,
    displayUrl: 'https://receiver.example/hook',
    retrySchedule: [0, 1000, 2000],
    timeoutMs: 1000,
    confirmationTimeoutMs: null,
    eventId: event.id,
    eventType: event.type,
    attemptOffset: 0,
  };
  return { sub, input };
}

function run(transport: WebhookTransport, input: DeliveryWorkflowInput) {
  const deps = { ledger, logger: createLogger('test', 'silent'), disableAfterMs: 86_400_000 };
  const deliver = createDeliver(deps, transport);
  return new MockActivityEnvironment({ attempt: 1 }).run(deliver, input);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

test('a 2xx is recorded as the one success, and a re-run returns it without sending again', async () => {
  const { input } = await setup();
  const transport = scripted(ok);
  assert.deepEqual(await run(transport, input), { attempt: 1, statusCode: 200, durationMs: 3 });
  assert.deepEqual(await run(transport, input), { attempt: 1, statusCode: 200, durationMs: 3 });
  assert.equal(transport.sent, 1);
  assert.equal((await ledger.deliveries.get(input.deliveryId))!.status, 'succeeded');
});

test('a failure throws with the next delay of the schedule; the last one ends the delivery', async () => {
  const { input } = await setup();
  const transport = scripted(status(500), status(500), status(500));
  const first = await failure(run(transport, input));
  assert.equal(first.type, FailureType.AttemptFailed);
  assert.equal(first.nonRetryable, false);
  assert.ok(first.nextRetryDelay !== undefined);
  await failure(run(transport, input));
  const last = await failure(run(transport, input));
  assert.equal(last.nonRetryable, true);
  const delivery = (await ledger.deliveries.get(input.deliveryId))!;
  assert.deepEqual([delivery.status, delivery.attemptCount], ['failed', 3]);
});

test('410 Gone disables the subscription and stops the retries', async () => {
  const { sub, input } = await setup();
  const gone = await failure(run(scripted(status(410)), input));
  assert.deepEqual([gone.type, gone.nonRetryable], [FailureType.EndpointGone, true]);
  assert.equal((await ledger.subscriptions.get(sub.id))!.status, 'disabled');
});

test('an endpoint at its concurrency limit defers the attempt without counting one', async () => {
  const { sub, input } = await setup({ maxConcurrency: 1 });
  await ledger.limits.acquireSlot(sub.id, 1, 'someone-else', 60_000);
  const transport = scripted(ok);
  const deferred = await failure(run(transport, input));
  assert.equal(deferred.type, FailureType.Throttled);
  assert.equal(transport.sent, 0);
  assert.equal((await ledger.deliveries.get(input.deliveryId))!.attemptCount, 0);
});

test("a tenant at its attemptsInFlight waits a moment in the worker for a slot, then is deferred without an attempt", async () => {
  const tenantId = `cap-${Math.random().toString(36).slice(2)}`;
  await ledger.tenants.put(tenantId, { name: tenantId, metadata: {}, fairnessWeight: 1, limits: { attemptsInFlight: 1 }, retentionDays: null });
  const sub = await ledger.subscriptions.create({ tenantId, url: 'https://receiver.example/hook', eventTypes: ['unit.*'], secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3' });
  const target = (await ledger.subscriptions.target(sub.id))!;
  const claim = (holder: string) => takeAttemptCapacity({ ledger, subscription: target, holder, activityAttempt: 1 });
  const first = await claim('first');
  // The second waits; the first's slot coming back in this worker hands it over at once.
  const second = claim('second');
  await first();
  const releaseSecond = await second;
  // A third finds the slot held and nobody giving it back: deferred, as a retry, not an attempt.
  const third = await claim('third').then(
    () => assert.fail('the third should have been deferred'),
    (err: unknown) => err as ApplicationFailure,
  );
  assert.equal(third.type, FailureType.Throttled);
  assert.ok(third.nextRetryDelay, 'with a delay for Temporal to retry it after');
  await releaseSecond();
});
