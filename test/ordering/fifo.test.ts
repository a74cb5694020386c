import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Delivery, Subscription } from '../../src/model';
import { createSubscription } from '../helpers/api';
import { type ReceivedRequest, TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/** A small seeded generator, so a failing run can be repeated. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
const random = seeded(Number(process.env.FIFO_SEED ?? 7));

// /random fails 20 % of the time; /held fails until released; /gone answers 410.
let released = false;
const receiver = new TestReceiver((req) => {
  if (req.path.startsWith('/random')) return { status: random() < 0.2 ? 500 : 200 };
  if (req.path.startsWith('/held')) return { status: released ? 200 : 503 };
  if (req.path.startsWith('/gone')) return { status: 410 };
  return { status: 200 };
});
const stack = useStack({}, receiver);

const sequenceOf = (r: ReceivedRequest) => Number(r.headers['webhook-sequence']);

async function post(type: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await stack.api('POST', '/v1/events', { tenantId: 'default', type, data: { i } });
    assert.equal(res.status, 202);
    ids.push(res.body.id as string);
  }
  return ids;
}

async function deliveriesOf(sub: Subscription): Promise<Delivery[]> {
  const all: Delivery[] = [];
  for (let cursor: string | null = null; ; ) {
    const page = await stack.ledger.deliveries.list({ subscriptionId: sub.id, limit: 100, ...(cursor && { cursor }) });
    all.push(...page.data);
    if (!page.nextCursor) return all.sort((a, b) => a.sequence - b.sequence);
    cursor = page.nextCursor;
  }
}

const fifo = (path: string, eventTypes: string[], retrySchedule: (number | string)[]) =>
  createSubscription(stack, { url: receiver.url(path), eventTypes, ordering: 'fifo', retrySchedule });

// Each FIFO delivery waits for the one before it (~0.5 s apiece here): the PostgreSQL pass runs a shorter queue.
const FIFO_EVENTS = process.env.TEST_DATABASE === 'postgres' ? 100 : 150;

test(`${FIFO_EVENTS} events to a FIFO endpoint that fails at random arrive in sequence order, each succeeding once`, async () => {
  const ordered = await fifo('/random', ['fifo.load'], [0, ...Array.from({ length: 14 }, () => 20)]);
  const beside = await createSubscription(stack, { url: receiver.url('/beside'), eventTypes: ['fifo.load'] });
  const lanes = await Promise.all(Array.from({ length: 5 }, () => post('fifo.load', FIFO_EVENTS / 5)));
  const eventCount = lanes.flat().length;
  const done = await waitUntil(async () => {
    const ds = await deliveriesOf(ordered);
    return ds.length === eventCount && ds.every((d) => d.status === 'succeeded') && ds;
  }, { timeoutMs: 240_000, intervalMs: 500, what: `${eventCount} FIFO deliveries to succeed` });

  const arrivals = receiver.to('/random').map(sequenceOf);
  for (let i = 1; i < arrivals.length; i++) {
    assert.ok(arrivals[i]! >= arrivals[i - 1]!, `request ${i}: #${arrivals[i]} came after #${arrivals[i - 1]}`);
  }
  assert.deepEqual([...new Set(arrivals)], Array.from({ length: eventCount }, (_, i) => i + 1), 'every sequence, in order');
  assert.ok(arrivals.length > eventCount, 'some attempts failed and were retried');
  const successes = await stack.ledger.db.selectFrom('attempts').select('delivery_id').where('outcome', '=', 'succeeded').where('delivery_id', 'in', done.map((d) => d.id)).execute();
  assert.equal(successes.length, eventCount, 'one recorded success per delivery');
  const besideDone = await deliveriesOf(beside);
  assert.ok(besideDone.length === eventCount && besideDone.every((d) => d.status === 'succeeded'));
});

test('a failing FIFO endpoint holds its queue while the endpoint beside it is served; cancelling the head moves the queue on in order', async () => {
  const ordered = await fifo('/held', ['fifo.held'], [0, '1h']);
  const beside = await createSubscription(stack, { url: receiver.url('/beside-held'), eventTypes: ['fifo.held'] });
  await post('fifo.held', 4);
  const besideDone = await waitUntil(async () => {
    const ds = await deliveriesOf(beside);
    return ds.length === 4 && ds.every((d) => d.status === 'succeeded') && ds;
  }, { what: 'the unordered endpoint served' });
  assert.equal(besideDone.length, 4);
  const [head, ...rest] = await waitUntil(async () => {
    const ds = await deliveriesOf(ordered);
    return ds.length === 4 && ds[0]!.nextAttemptAt !== null && ds;
  }, { what: 'the head failing, its next attempt in an hour' });
  assert.deepEqual(rest.map((d) => d.status), ['pending', 'pending', 'pending'], 'held behind the head');
  assert.deepEqual(receiver.to('/held').map(sequenceOf), [head!.sequence], 'only the head was tried');

  released = true;
  assert.equal((await stack.api('POST', `/v1/deliveries/${head!.id}/cancel`)).status, 202);
  await waitUntil(async () => (await deliveriesOf(ordered)).slice(1).every((d) => d.status === 'succeeded'), { what: 'the rest delivered' });
  assert.deepEqual(receiver.to('/held').map(sequenceOf), [head!.sequence, ...rest.map((d) => d.sequence)], 'the rest in order');

  // A retried delivery goes back through the queue.
  assert.equal((await stack.api('POST', `/v1/deliveries/${head!.id}/retry`)).status, 202);
  await waitUntil(async () => (await stack.ledger.deliveries.get(head!.id))?.status === 'succeeded', { what: 'the retried head delivered' });
  assert.equal(receiver.to('/held').at(-1)!.headers['webhook-id'], head!.eventId);
});

test('a 410 from a FIFO endpoint disables it and drains its queue as cancelled', async () => {
  const ordered = await fifo('/gone', ['fifo.gone'], [0]);
  await post('fifo.gone', 3);
  const ds = await waitUntil(async () => {
    const all = await deliveriesOf(ordered);
    return all.length === 3 && all.every((d) => d.status === 'failed' || d.status === 'cancelled') && all;
  }, { what: 'the queue drained' });
  assert.deepEqual(ds.map((d) => d.status), ['failed', 'cancelled', 'cancelled']);
  assert.equal(receiver.to('/gone').length, 1, 'nothing sent after the 410');
  assert.equal((await stack.api('GET', `/v1/subscriptions/${ordered.id}`)).body.status, 'disabled');
});
