import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, test } from 'node:test';
import { deliveryWorkflowId } from '../../src/contract';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { killHard, spawnWorker } from '../helpers/worker-process';

// /held requests wait until the test opens the gate; the receiver tracks how many are in flight.
let inFlight = 0;
let maxInFlight = 0;
let openGate: () => void = () => {};
const gate = new Promise<void>((resolve) => (openGate = resolve));
const receiver = new TestReceiver(async (req) => {
  if (req.path === '/hang') return 'hang';
  if (req.path !== '/held') return { status: 200 };
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  await gate;
  inFlight--;
  return { status: 200 };
});
// Four activity slots per worker make starvation by a hanging endpoint easy to provoke.
const stack = useStack({ workerActivitySlots: 4 }, receiver);
let second: ChildProcess | undefined;
after(() => second && killHard(second));

const post = async (type: string) => (await stack.api('POST', '/v1/events', { tenantId: 'default', type, data: {} })).body.id as string;

test('maxConcurrency holds across two workers; deferred requests use no attempts', async () => {
  second = spawnWorker(stack.config);
  const sub = await createSubscription(stack, { url: receiver.url('/held'), eventTypes: ['lim.conc'], maxConcurrency: 2 });
  const events: string[] = [];
  for (let i = 0; i < 8; i++) events.push(await post('lim.conc'));
  await receiver.waitFor(() => inFlight === 2, 60_000, 'two requests in flight');
  // Proof that the others were held back by the limit, not merely slow: a deferred activity.
  await waitUntil(
    async () => {
      for (const e of events) {
        const d = await stack.env.client.workflow.getHandle(deliveryWorkflowId(e, sub.id)).describe().catch(() => undefined);
        const pending = d?.raw.pendingActivities?.[0];
        if (pending?.lastFailure?.message?.includes('maxConcurrency')) return true;
      }
      return false;
    },
    { timeoutMs: 30_000, what: 'a delivery deferred by maxConcurrency' },
  );
  assert.equal(maxInFlight, 2);
  openGate();
  for (const e of events) {
    const [d] = await waitForEventDone(stack, e, 1, 60_000);
    assert.equal(d!.status, 'succeeded');
    assert.deepEqual(d!.attempts.map((a) => [a.number, a.outcome]), [[1, 'succeeded']], 'deferrals are not attempts');
  }
  assert.equal(maxInFlight, 2, 'never more than maxConcurrency at once');
});

test('rateLimitPerSecond spreads requests over time without using attempts', async () => {
  await createSubscription(stack, { url: receiver.url('/rated'), eventTypes: ['lim.rate'], rateLimitPerSecond: 2 });
  const events: string[] = [];
  for (let i = 0; i < 8; i++) events.push(await post('lim.rate'));
  for (const e of events) {
    const [d] = await waitForEventDone(stack, e, 1, 60_000);
    assert.deepEqual(d!.attempts.map((a) => a.outcome), ['succeeded']);
  }
  const times = receiver.to('/rated').map((r) => r.receivedAt);
  assert.equal(times.length, 8);
  // 8 requests at 2 per (fixed, one-second) window need 4 windows: the first two may come at the
  // end of one and the last two at the start of the fourth, so the spread is just over 2 s at least.
  // (Posts now answer in a few ms, so all 8 reach the limiter at once and the bound is met tightly.)
  assert.ok(Math.max(...times) - Math.min(...times) > 2_000, `spread over ${Math.max(...times) - Math.min(...times)} ms`);
});

test('a hanging endpoint with maxConcurrency leaves the other endpoints their share of the workers', async () => {
  await createSubscription(stack, { url: receiver.url('/hang'), eventTypes: ['lim.iso'], maxConcurrency: 1, timeoutMs: 5000 });
  const healthy = await createSubscription(stack, { url: receiver.url('/healthy'), eventTypes: ['lim.iso'] });
  const events: string[] = [];
  for (let i = 0; i < 10; i++) events.push(await post('lim.iso'));
  // Every healthy delivery succeeds while the hanging endpoint's first attempt is still waiting for
  // its 5 s timeout: without the limit, ten hanging requests would fill all worker slots first.
  await waitUntil(
    async () => {
      for (const e of events) {
        const d = (await stack.ledger.deliveries.listForEvent(e)).find((x) => x.subscriptionId === healthy.id);
        if (d?.status !== 'succeeded') return false;
      }
      return true;
    },
    { timeoutMs: 4_000, what: 'the healthy deliveries, before the hanging request times out' },
  );
  assert.ok(receiver.to('/hang').length <= 2, `the hanging endpoint got ${receiver.to('/hang').length} requests at once`);
});
