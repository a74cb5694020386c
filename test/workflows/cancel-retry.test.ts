import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as SvixWebhook } from 'svix';
import { deliveryWorkflowId } from '../../src/contract';
import type { BulkRetryJob } from '../../clients/typescript/src';
import { createSubscription, getDelivery, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Paths under /down fail; /recovering fails until the test flips it.
let recovering = false;
const receiver = new TestReceiver((req) => {
  if (req.path.startsWith('/hang')) return 'hang';
  if (req.path.startsWith('/down')) return { status: 500 };
  if (req.path.startsWith('/recovering')) return recovering ? { status: 200 } : { status: 503 };
  return { status: 200 };
});
const stack = useStack({}, receiver);

async function post(type: string) {
  const res = await stack.api('POST', '/v1/events', { tenantId: 'default', type, data: { type } });
  return res.body.id as string;
}

async function runsOf(workflowId: string) {
  const runs: string[] = [];
  for await (const wf of stack.env.client.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs.push(wf.status.name);
  return runs;
}

test('cancelling a delivery waiting between retries ends it cancelled with no further attempt', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/down/a'), eventTypes: ['k.backoff'], retrySchedule: ['0', '1h'] });
  const eventId = await post('k.backoff');
  const delivery = await waitUntil(async () => {
    const [d] = await stack.ledger.deliveries.listForEvent(eventId);
    return d?.nextAttemptAt ? d : undefined;
  });
  const res = await stack.api('POST', `/v1/deliveries/${delivery.id}/cancel`);
  assert.equal(res.status, 202);

  const [d] = await waitForEventDone(stack, eventId, 1);
  assert.equal(d!.status, 'cancelled');
  assert.equal(d!.nextAttemptAt, null);
  const handle = stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id));
  await assert.rejects(handle.result());
  assert.equal((await handle.describe()).status.name, 'CANCELLED');
  assert.equal(receiver.to('/down/a').length, 1);

  assert.equal((await stack.api('POST', `/v1/deliveries/${delivery.id}/cancel`)).status, 409, 'already ended');
  assert.equal((await stack.api('POST', '/v1/deliveries/dlv_nope/cancel')).status, 404);
});

test('POST /v1/events/:id/cancel cancels every delivery of the event that has not ended', async () => {
  await createSubscription(stack, { url: receiver.url('/down/b1'), eventTypes: ['k.event'], retrySchedule: ['0', '1h'] });
  await createSubscription(stack, { url: receiver.url('/down/b2'), eventTypes: ['k.event'], retrySchedule: ['0', '1h'] });
  await createSubscription(stack, { url: receiver.url('/fine'), eventTypes: ['k.event'] });
  const eventId = await post('k.event');
  await waitUntil(async () => {
    const ds = await stack.ledger.deliveries.listForEvent(eventId);
    return ds.filter((d) => d.nextAttemptAt).length === 2 && ds.some((d) => d.status === 'succeeded');
  });
  const res = await stack.api('POST', `/v1/events/${eventId}/cancel`);
  assert.equal(res.status, 202);
  assert.equal(res.body.cancelling, 2);
  const ds = await waitForEventDone(stack, eventId, 3);
  assert.deepEqual(ds.map((d) => d.status).sort(), ['cancelled', 'cancelled', 'succeeded'], 'the finished one stays succeeded');
  assert.equal((await stack.api('POST', '/v1/events/evt_nope/cancel')).status, 404);
});

test('retrying a failed delivery re-sends the same webhook-id with a fresh signature, attempts continuing', async () => {
  recovering = false;
  const sub = await createSubscription(stack, { url: receiver.url('/recovering/1'), eventTypes: ['k.retry'], retrySchedule: ['0', '20ms'] });
  const eventId = await post('k.retry');
  const [failed] = await waitForEventDone(stack, eventId, 1);
  assert.equal(failed!.status, 'failed');
  assert.equal(failed!.attemptCount, 2);

  recovering = true;
  const res = await stack.api('POST', `/v1/deliveries/${failed!.id}/retry`);
  assert.equal(res.status, 202);
  const [d] = await waitForEventDone(stack, eventId, 1);
  assert.equal(d!.status, 'succeeded');
  assert.deepEqual(d!.attempts.map((a) => [a.number, a.outcome]), [[1, 'failed'], [2, 'failed'], [3, 'succeeded']]);

  const requests = receiver.to('/recovering/1');
  assert.equal(requests.length, 3);
  assert.deepEqual(new Set(requests.map((r) => r.headers['webhook-id'])), new Set([eventId]));
  const last = requests[2]!;
  assert.notEqual(last.headers['webhook-signature'], requests[0]!.headers['webhook-signature']);
  new SvixWebhook(sub.secret).verify(last.body, last.headers as Record<string, string>);

  // Temporal shows two runs of the one workflow id: the failed one and the retry.
  const workflowId = deliveryWorkflowId(eventId, sub.id);
  await stack.env.client.workflow.getHandle(workflowId).result();
  const runs = await waitUntil(async () => {
    const r = await runsOf(workflowId);
    return r.length === 2 && r;
  });
  assert.deepEqual(runs.sort(), ['COMPLETED', 'FAILED']);

  const again = await stack.api('POST', `/v1/deliveries/${failed!.id}/retry`);
  assert.equal(again.status, 409, 'a succeeded delivery is not retried');
  assert.equal((await stack.api('POST', '/v1/deliveries/dlv_nope/retry')).status, 404);
});

test('a running delivery cannot be retried', async () => {
  await createSubscription(stack, { url: receiver.url('/down/running'), eventTypes: ['k.running'], retrySchedule: ['0', '1h'] });
  const eventId = await post('k.running');
  const d = await waitUntil(async () => {
    const [x] = await stack.ledger.deliveries.listForEvent(eventId);
    return x?.nextAttemptAt ? x : undefined;
  });
  const res = await stack.api('POST', `/v1/deliveries/${d.id}/retry`);
  assert.equal(res.status, 409);
  assert.match(String(res.body.detail), /delivering/);
  await stack.api('POST', `/v1/deliveries/${d.id}/cancel`);
});

async function bulkRetry(body: Record<string, unknown>): Promise<BulkRetryJob> {
  const res = await stack.api('POST', '/v1/deliveries/retry', body);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.headers.get('location'), `/v1/retries/${String(res.body.id)}`);
  return waitUntil(async () => {
    const job = await stack.client.deliveries.retryJob(String(res.body.id));
    return job.status === 'completed' && job;
  }, { what: 'the bulk retry job to complete' });
}

test('bulk retry is a job that re-runs the matching failed deliveries, bounded by limit', async () => {
  recovering = false;
  const sub = await createSubscription(stack, { url: receiver.url('/recovering/bulk'), eventTypes: ['k.bulk'], retrySchedule: ['0'] });
  const other = await createSubscription(stack, { url: receiver.url('/down/other'), eventTypes: ['k.bulk'], retrySchedule: ['0'] });
  const events = [await post('k.bulk'), await post('k.bulk'), await post('k.bulk')];
  for (const e of events) await waitForEventDone(stack, e, 2);

  recovering = true;
  const first = await bulkRetry({ subscriptionId: sub.id, status: 'failed', limit: 2 });
  assert.deepEqual([first.matched, first.started, first.skipped], [2, 2, 0]);
  const rest = await bulkRetry({ subscriptionId: sub.id, limit: 10 });
  assert.equal(rest.started, 1, 'only the one still failed');

  for (const e of events) {
    const ds = await waitUntil(async () => {
      const all = await stack.ledger.deliveries.listForEvent(e);
      const mine = all.find((d) => d.subscriptionId === sub.id);
      return mine?.status === 'succeeded' && all;
    });
    assert.equal(ds.find((d) => d.subscriptionId === other.id)!.status, 'failed', 'the other subscription was not touched');
  }
  const window = await bulkRetry({ subscriptionId: other.id, since: new Date(Date.now() + 60_000).toISOString() });
  assert.equal(window.matched, 0, 'the time window filters too');
  const bad = await stack.api('POST', '/v1/deliveries/retry', { status: 'succeeded', limit: 50_000 });
  assert.equal(bad.status, 400);
  const retried = (await stack.ledger.deliveries.listForEvent(events[0]!)).find((d) => d.subscriptionId === sub.id)!;
  assert.deepEqual((await getDelivery(stack, retried.id)).attempts.map((a) => [a.number, a.outcome]), [[1, 'failed'], [2, 'succeeded']]);
});

test('a bulk retry reports what it skipped and why, and an unknown job is 404', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/down/skip'), eventTypes: ['k.skip'], retrySchedule: ['0'] });
  const eventId = await post('k.skip');
  const [failed] = await waitForEventDone(stack, eventId, 1);
  await stack.api('PATCH', `/v1/subscriptions/${sub.id}`, { status: 'disabled' });
  const job = await bulkRetry({ subscriptionId: sub.id });
  assert.deepEqual([job.matched, job.started, job.skipped], [1, 0, 1]);
  assert.equal(job.skippedSample[0]!.id, failed!.id);
  assert.match(job.skippedSample[0]!.reason, /disabled/);
  assert.equal((await stack.api('GET', '/v1/retries/rty_nope')).status, 404);
  assert.equal((await stack.api('POST', `/v1/retries/${job.id}/cancel`)).status, 409, 'a completed job cannot be cancelled');
});

test('retry and cancel work on a delivery stranded in pending with no workflow', async () => {
  const strand = async (path: string) => {
    const sub = await createSubscription(stack, { url: receiver.url(path), eventTypes: [`k.${path.slice(6)}`], retrySchedule: ['0'] });
    const eventId = await post(`k.${path.slice(6)}`);
    const [failed] = await waitForEventDone(stack, eventId, 1);
    await waitUntil(async () => (await runsOf(deliveryWorkflowId(eventId, sub.id))).join() === 'FAILED');
    // What POST /retry left behind when the gateway died between reopening and starting it.
    await stack.ledger.deliveries.reopen(failed!.id, ['failed']);
    return failed!.id;
  };
  const toRetry = await strand('/down/stranded-retry');
  assert.equal((await getDelivery(stack, toRetry)).status, 'pending');
  const retried = await stack.api('POST', `/v1/deliveries/${toRetry}/retry`);
  assert.equal(retried.status, 202, JSON.stringify(retried.body));
  const done = await waitUntil(async () => {
    const d = await getDelivery(stack, toRetry);
    return d.status === 'failed' && d.attempts.length === 2 && d;
  }, { what: 'the retried delivery to run its attempt' });
  assert.deepEqual(done.attempts.map((a) => a.outcome), ['failed', 'failed']);

  const toCancel = await strand('/down/stranded-cancel');
  const cancelled = await stack.api('POST', `/v1/deliveries/${toCancel}/cancel`);
  assert.equal(cancelled.status, 202);
  assert.equal(cancelled.body.status, 'cancelled', 'ended in the ledger at once: no workflow was there to do it');
});

test('cancelling a delivery mid-request cuts the request short and leaves the endpoint\'s health alone', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/hang/mid-request'), eventTypes: ['k.hang'], timeoutMs: 30_000 });
  const eventId = await post('k.hang');
  await receiver.waitFor(() => receiver.to('/hang/mid-request').length === 1, 20_000, 'the request in flight');
  const [delivery] = await stack.ledger.deliveries.listForEvent(eventId);
  const cancelledAt = Date.now();
  assert.equal((await stack.api('POST', `/v1/deliveries/${delivery!.id}/cancel`)).status, 202);
  // The request is cut short well within the 30 s it would otherwise have been given: the attempt
  // sees its delivery cancelled in the ledger within a second, before Temporal's next heartbeat
  // (12 s) or, as when first attempts were local activities, the task's 8 s keep-alive would say so.
  await waitUntil(() => receiver.abandoned === 1, { timeoutMs: 5_000, what: 'the request aborted' });
  console.log(`[cancel mid-request] the first attempt's request was aborted ${Date.now() - cancelledAt} ms after the cancel`);
  const handle = stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id));
  await waitUntil(async () => (await handle.describe()).status.name === 'CANCELLED', { timeoutMs: 15_000, what: 'the run cancelled' });
  const ended = await getDelivery(stack, delivery!.id);
  assert.equal(ended.status, 'cancelled');
  assert.deepEqual(ended.attempts.map((a) => a.outcome), ['abandoned']);
  assert.equal((await stack.ledger.subscriptions.get(sub.id))!.failingSince, null, 'a cancelled request is no failure of the endpoint');
});
