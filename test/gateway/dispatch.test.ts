import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Config } from '../../src/core/config';
import { eventWorkflowId } from '../../src/contract';
import { EventDispatcher } from '../../src/operations/event-dispatcher';
import { createApp } from '../../src/gateway/app';
import { createLogger } from '../../src/core/logger';
import { createGatewayMetrics, type GatewayMetrics, METRIC } from '../../src/metrics';
import { createSubscription } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { workflowExists as eventWorkflowExists } from '../helpers/temporal';
import { TEST_TOKEN, useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { parseExposition } from '../metrics/scrape';

// The 202 comes from the ledger commit; the event's workflow is started after it by the gateway's
// dispatcher, with a bounded number of starts in flight. Over DISPATCH_BACKLOG_LIMIT intake is
// refused with 503 and Retry-After, and nothing accepted is ever lost.

const receiver = new TestReceiver();
const stack = useStack({ setup: (s) => createSubscription(s, { url: receiver.url('/hook'), eventTypes: ['dispatch.*'] }) }, receiver);
const silent = createLogger('test', 'silent');

/** A gateway of its own on the stack's ledger and Temporal: its own dispatcher, config and metrics. */
async function gateway(options: { client?: Client; config?: Partial<Config>; concurrency?: number } = {}) {
  const config = { ...stack.config, ...options.config };
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  const dispatcher = new EventDispatcher(
    { ledger: stack.ledger, client: options.client ?? stack.env.client, taskQueue: config.TASK_QUEUE, logger: silent },
    { concurrency: options.concurrency ?? config.DISPATCH_CONCURRENCY, backlogLimit: config.DISPATCH_BACKLOG_LIMIT },
  );
  metrics.watchDispatch(dispatcher);
  const server = http.createServer(createApp({ config, ledger: stack.ledger, client: stack.env.client, logger: silent, metrics, dispatcher }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await dispatcher.stop(0);
  };
  return { dispatcher, metrics, post, close };
}

/** The Temporal client, with every workflow start held until `release()`; `order` lists the started workflow ids. */
function heldStarts(real: Client) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  const order: string[] = [];
  const start = async (...args: unknown[]) => {
    held++;
    order.push((args[1] as { workflowId: string }).workflowId);
    await gate;
    return Reflect.apply(real.workflow.start, real.workflow, args) as Promise<unknown>;
  };
  return { client: { workflow: { start } } as unknown as Client, release, held: () => held, order };
}

/** Whether the event's workflow was ever started. */
const workflowExists = (eventId: string) => eventWorkflowExists(stack.env.client, eventWorkflowId(eventId));

/** Waits until each event has reached the receiver, then checks it arrived once. */
async function assertDeliveredOnce(ids: string[]): Promise<void> {
  const arrived = (id: string) => receiver.requests.filter((r) => r.headers['webhook-id'] === id).length;
  await receiver.waitFor(() => ids.every((id) => arrived(id) > 0), 60_000, `${ids.length} events delivered`);
  assert.deepEqual(ids.filter((id) => arrived(id) !== 1), [], 'each event delivered exactly once');
}

async function gauge(metrics: GatewayMetrics, name: string): Promise<number> {
  return parseExposition(await metrics.registry.metrics()).find((s) => s.name === name)!.value;
}

const event = (id: string) => ({ id, tenantId: 'default', type: 'dispatch.happened', data: { id } });

test('the 202 comes from the ledger commit: events are accepted while their workflow starts are held, then delivered once', async () => {
  const held = heldStarts(stack.env.client);
  const gw = await gateway({ client: held.client, concurrency: 4 });
  try {
    const single = await gw.post('/v1/events', event('held-single'));
    assert.equal(single.status, 202, JSON.stringify(single.body));
    assert.equal(single.body.status, 'accepted');
    const batch = await gw.post('/v1/events/batch', { events: Array.from({ length: 20 }, (_, i) => event(`held-batch-${i}`)) });
    assert.equal(batch.status, 207);
    assert.deepEqual(new Set((batch.body.results as { status: number }[]).map((r) => r.status)), new Set([202]));

    // Answered with nothing started: 4 starts wait at the gate (the concurrency), 17 in the queue.
    await waitUntil(() => held.held() === 4, { what: 'the first starts to reach the gate' });
    assert.equal(gw.dispatcher.pending, 21);
    assert.equal(await gauge(gw.metrics, METRIC.dispatchQueued), 21);
    assert.equal(await gauge(gw.metrics, METRIC.dispatchBacklog), 21, 'the backlog: accepted events not fanned out');
    assert.equal(await workflowExists('held-single'), false);

    held.release();
    await assertDeliveredOnce(['held-single', ...Array.from({ length: 20 }, (_, i) => `held-batch-${i}`)]);
    assert.equal(held.held(), 21, 'one start per event');
    assert.equal(await gauge(gw.metrics, METRIC.dispatchQueued), 0);
  } finally {
    await gw.close();
  }
});

test('over DISPATCH_BACKLOG_LIMIT intake answers 503 with Retry-After and records nothing; all it accepted is delivered', async () => {
  await waitUntil(async () => (await stack.ledger.events.acceptedBacklog()) === 0, { what: 'an empty backlog to start from' });
  const gw = await gateway({ config: { DISPATCH_BACKLOG_LIMIT: 10 } });
  await stack.stopWorker(); // workflows start, but nothing fans out: the backlog stays
  let workerBack = false;
  try {
    const accepted: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await gw.post('/v1/events', event(`flood-${i}`));
      assert.equal(res.status, 202, JSON.stringify(res.body));
      accepted.push(`flood-${i}`);
    }
    const refused = await gw.post('/v1/events', event('flood-refused'));
    assert.equal(refused.status, 503);
    assert.match(refused.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.match(String(refused.body.detail), /10 accepted events are waiting to be dispatched \(the limit is 10\)/);
    const batch = await gw.post('/v1/events/batch', { events: [event('flood-batch-0'), event('flood-batch-1')] });
    assert.equal(batch.status, 503, 'a batch over the limit is refused whole');
    assert.equal(await stack.ledger.events.get('flood-refused'), undefined, 'nothing recorded for a 503');
    assert.equal(await stack.ledger.events.get('flood-batch-0'), undefined);
    assert.equal(await gauge(gw.metrics, METRIC.dispatchBacklog), 10);

    await stack.startWorker();
    workerBack = true;
    await assertDeliveredOnce(accepted);
    // The producer's retry of the refused post goes through once the backlog has drained.
    await waitUntil(async () => (await gw.post('/v1/events', event('flood-refused'))).status === 202, { what: 'the refused event accepted on retry' });
    await assertDeliveredOnce(['flood-refused']);
  } finally {
    if (!workerBack) await stack.startWorker();
    await gw.close();
  }
});

test('two gateways posting the same events at once start one workflow per event and deliver each once', async () => {
  const [a, b] = [await gateway(), await gateway()];
  try {
    const ids = Array.from({ length: 40 }, (_, i) => `twice-${i}`);
    const answers = await Promise.all(ids.flatMap((id) => [a.post('/v1/events', event(id)), b.post('/v1/events', event(id))]));
    const statuses = answers.map((r) => r.status);
    assert.deepEqual([statuses.filter((s) => s === 202).length, statuses.filter((s) => s === 200).length], [40, 40]);
    await assertDeliveredOnce(ids);
  } finally {
    await a.close();
    await b.close();
  }
});

test("one tenant's burst does not hold up another tenant's events: the dispatcher serves tenants in turn", async () => {
  assert.equal((await stack.api('PUT', '/v1/tenants/dispatch-small', { name: 'Small' })).status, 201);
  await createSubscription(stack, { tenantId: 'dispatch-small', url: receiver.url('/small'), eventTypes: ['dispatch.*'] });
  const held = heldStarts(stack.env.client);
  const gw = await gateway({ client: held.client, concurrency: 1 });
  try {
    const burst = Array.from({ length: 200 }, (_, i) => event(`burst-${i}`));
    assert.equal((await gw.post('/v1/events/batch', { events: burst })).status, 207);
    const small = await gw.post('/v1/events', { ...event('small-one'), tenantId: 'dispatch-small' });
    assert.equal(small.status, 202);
    held.release();
    await receiver.waitFor(() => receiver.to('/small').length === 1, 60_000, "the small tenant's event delivered");
    // The first burst start was already at the gate; the small tenant's came within the next round
    // (the burst's tenant had the turn), not 201st.
    const place = held.order.indexOf('event:small-one');
    assert.ok(place >= 1 && place <= 2, `started ${place + 1}th: ${held.order.slice(0, 5).join(', ')}`);
    await assertDeliveredOnce(burst.map((e) => e.id));
  } finally {
    await gw.close();
  }
});
