import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSubscription } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const receiver = new TestReceiver();
const stack = useStack({}, receiver);

interface Posted {
  id: string;
  sentAt: number;
  acceptedAt: number;
}

/** `publishers` producers posting `each` events one after another, all at once. */
async function publishConcurrently(publishers: number, each: number, type: string): Promise<Posted[]> {
  const lanes = Array.from({ length: publishers }, async (_, lane) => {
    const posted: Posted[] = [];
    for (let i = 0; i < each; i++) {
      const sentAt = performance.now();
      const res = await stack.api('POST', '/v1/events', { tenantId: 'default', type, data: { lane, i } });
      assert.equal(res.status, 202);
      posted.push({ id: res.body.id as string, sentAt, acceptedAt: performance.now() });
    }
    return posted;
  });
  return (await Promise.all(lanes)).flat();
}

test('per subscription, sequence numbers are 1..n without gaps and increase with acceptance order, whatever order the fan-outs run in', async () => {
  const subs = [
    await createSubscription(stack, { url: receiver.url('/seq-a'), eventTypes: ['seq.*'] }),
    await createSubscription(stack, { url: receiver.url('/seq-b'), eventTypes: ['seq.*'] }),
  ];
  // Without a worker the events are accepted but not fanned out; started together, the fan-outs race.
  await stack.stopWorker();
  const posted = await publishConcurrently(6, 10, 'seq.made');
  await stack.startWorker();
  const total = posted.length;
  for (const sub of subs) {
    const deliveries = await waitUntil(async () => {
      const page = await stack.ledger.deliveries.list({ subscriptionId: sub.id, limit: 100 });
      return page.data.length === total && page.data.every((d) => d.status === 'succeeded') && page.data;
    }, { timeoutMs: 60_000, what: `${total} deliveries to ${sub.id}` });
    const sequenceOf = new Map(deliveries.map((d) => [d.eventId, d.sequence]));
    assert.deepEqual([...sequenceOf.values()].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i + 1), 'unique, no gaps');
    // Accepted (202 received) before the other was even sent: a smaller number.
    for (const a of posted) {
      for (const b of posted) {
        if (a.acceptedAt < b.sentAt) assert.ok(sequenceOf.get(a.id)! < sequenceOf.get(b.id)!, `${a.id} before ${b.id}`);
      }
    }
    // The receiver got each number in webhook-sequence, as the ledger has it.
    const path = sub.url.slice(sub.url.indexOf('/seq-'));
    for (const request of receiver.to(path)) {
      assert.equal(Number(request.headers['webhook-sequence']), sequenceOf.get(request.headers['webhook-id'] as string));
    }
  }
  const api = await stack.api('GET', `/v1/deliveries?subscriptionId=${subs[0]!.id}&limit=1`);
  assert.equal((api.body.data as { sequence: number }[])[0]!.sequence, total, 'the newest first, with its sequence');
});
