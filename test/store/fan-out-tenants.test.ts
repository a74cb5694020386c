import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { useLedger } from '../helpers/database';
import { waitUntil } from '../helpers/wait';

// Fan-outs lock per tenant (src/store/fan-out.ts): different tenants' run side by side, one
// tenant's and broadcasts in turn, and every subscription's numbers still follow acceptance order.

const ledger = useLedger();
const onPostgres = process.env.TEST_DATABASE === 'postgres';

async function subscribe(tenantId: string, eventTypes: string[], ordering: 'fifo' | 'unordered' = 'unordered') {
  return ledger.subscriptions.create({ tenantId, url: 'https://example.com/hook', eventTypes, secret: 'whsec_x', ordering });
}

let eventCount = 0;
async function accept(tenantId: string | null, type: string): Promise<string> {
  const { event } = await ledger.events.insert({ tenantId, id: `evt_fot_${++eventCount}_${Date.now().toString(36)}`, type, data: {} });
  return event.id;
}

function fanOut(eventId: string) {
  return ledger.events.recordFanOut(eventId, 100, `event:${eventId}`);
}

/** Each subscription's deliveries in acceptance (events.seq) order: [event id, sequence]. */
async function sequencesBySubscription(subscriptionIds: string[]): Promise<Map<string, [string, number | null][]>> {
  const rows = await ledger.db
    .selectFrom('deliveries as d')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select(['d.subscription_id', 'd.sequence', 'e.id', 'e.seq'])
    .where('d.subscription_id', 'in', subscriptionIds)
    .orderBy('e.seq')
    .execute();
  const out = new Map<string, [string, number | null][]>(subscriptionIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.subscription_id)!.push([r.id, r.sequence]);
  return out;
}

/** Waits until `count` ledger statements containing `text` are waiting for a lock (PostgreSQL). */
async function waitingOnLock(text: string, count: number): Promise<void> {
  await waitUntil(
    async () => {
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and position(${text} in query) > 0`.execute(ledger.db);
      return Number(rows[0]!.n) === count;
    },
    { timeoutMs: 15_000, intervalMs: 20, what: `${count} statement(s) with ${text} waiting for a lock` },
  );
}

/** A promise and whether it has settled yet. */
function tracked<T>(promise: Promise<T>) {
  const state = { done: false, promise };
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

test('on PostgreSQL a tenant fans out while another tenant\'s fan-out holds its locks; the same tenant and broadcasts wait', { skip: !onPostgres && 'row locks: PostgreSQL only (SQLite runs one writer at a time)' }, async () => {
  const a = await subscribe('lock-a', ['lock.*']);
  const b = await subscribe('lock-b', ['lock.*']);
  const [a1, a2, b1, broadcast, b2] = [await accept('lock-a', 'lock.made'), await accept('lock-a', 'lock.made'), await accept('lock-b', 'lock.made'), await accept(null, 'lock.made'), await accept('lock-b', 'lock.made')];

  // A's fan-out is caught mid-transaction (global row shared, A's row locked, event claimed): an
  // outside transaction holds the row of A's subscription it is about to draw a number from.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const blocker = ledger.db.transaction().execute(async (trx) => {
    await trx.selectFrom('subscriptions').select('id').where('id', '=', a.id).forUpdate().execute();
    holding();
    await released;
  });
  await held;
  const fanA1 = tracked(fanOut(a1));
  await waitingOnLock('update "subscriptions"', 1);
  const fanA2 = tracked(fanOut(a2));
  await waitingOnLock('"fan_out_tenant_locks"', 1);

  const resultB1 = await fanOut(b1);
  assert.equal(resultB1.deliveries, 1, 'tenant B fanned out meanwhile');
  assert.ok(!fanA1.done && !fanA2.done, "tenant A's fan-outs still wait");

  const fanBroadcast = tracked(fanOut(broadcast));
  // Accepted after the waiting broadcast, B's next event queues behind it on the global row.
  const fanB2 = tracked(fanOut(b2));
  await waitingOnLock('update "fan_out_lock"', 2);
  assert.ok(!fanBroadcast.done && !fanB2.done);

  release();
  await blocker;
  await Promise.all([fanA1.promise, fanA2.promise, fanBroadcast.promise, fanB2.promise]);
  const sequences = await sequencesBySubscription([a.id, b.id]);
  assert.deepEqual(sequences.get(a.id), [[a1, 1], [a2, 2], [broadcast, 3]]);
  assert.deepEqual(sequences.get(b.id), [[b1, 1], [broadcast, 2], [b2, 3]]);
});

/** A small seeded generator (mulberry32), so a failing order can be run again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Accepted {
  id: string;
  tenantId: string | null;
}

/** Accepts `count` events one after another (acceptance order = events.seq), a broadcast now and then. */
async function acceptSome(tenants: string[], count: number, type: string, next: () => number): Promise<Accepted[]> {
  const accepted: Accepted[] = [];
  for (let i = 0; i < count; i++) {
    const tenantId = next() < 0.25 ? null : tenants[Math.floor(next() * tenants.length)]!;
    accepted.push({ id: await accept(tenantId, type), tenantId });
  }
  return accepted;
}

/** Checks every subscription got its tenant's events and the broadcasts, numbered 1..n in acceptance order. */
async function assertSequences(subs: { id: string; tenantId: string }[], events: Accepted[], seed: number): Promise<void> {
  const sequences = await sequencesBySubscription(subs.map((s) => s.id));
  for (const sub of subs) {
    const got = sequences.get(sub.id)!;
    const expected = events.filter((e) => e.tenantId === null || e.tenantId === sub.tenantId).map((e) => e.id);
    assert.deepEqual(got.map(([id]) => id), expected, `seed ${seed}: ${sub.id} got its tenant's events and the broadcasts`);
    assert.deepEqual(got.map(([, n]) => n), expected.map((_, i) => i + 1), `seed ${seed}: ${sub.id} numbered 1..n in acceptance order`);
  }
}

test('tenant events and broadcasts fanned out concurrently in random order: every subscription numbered 1..n in acceptance order', async () => {
  for (let round = 0; round < 4; round++) {
    const seed = Number(process.env.FAN_OUT_SEED ?? Date.now()) + round;
    const next = random(seed);
    const type = `prop${round}.made`;
    const tenants = ['t1', 't2', 't3', 't4'].map((t) => `prop${round}-${t}`);
    const subs = [];
    for (const tenantId of tenants) {
      for (const ordering of ['unordered', 'fifo', 'unordered'] as const) subs.push({ id: (await subscribe(tenantId, [`prop${round}.*`], ordering)).id, tenantId });
    }
    // A first wave is fanned out while a second one is still being accepted, each in random order.
    const first = await acceptSome(tenants, 30, type, next);
    const running = shuffled(first, next).map((e) => fanOut(e.id));
    const second = await acceptSome(tenants, 30, type, next);
    running.push(...shuffled(second, next).map((e) => fanOut(e.id)));
    await Promise.all(running);
    await assertSequences(subs, [...first, ...second], seed);
  }
});

test('a tenant event waits for an earlier broadcast: fanning out the later one first fans out the broadcast, then both tenants\' earlier events in order', async () => {
  const x = await subscribe('order-x', ['order.*']);
  const y = await subscribe('order-y', ['order.*']);
  const y1 = await accept('order-y', 'order.made');
  const broadcast = await accept(null, 'order.made');
  const x1 = await accept('order-x', 'order.made');
  // Only X's event is fanned out: it finds the broadcast waiting and takes the global path, which
  // first fans out Y's earlier event (else Y's subscription would number the broadcast before it).
  await fanOut(x1);
  const sequences = await sequencesBySubscription([x.id, y.id]);
  assert.deepEqual(sequences.get(x.id), [[broadcast, 1], [x1, 2]]);
  assert.deepEqual(sequences.get(y.id), [[y1, 1], [broadcast, 2]]);
  for (const id of [y1, broadcast]) assert.equal((await ledger.events.get(id))!.status, 'dispatched');
});
