// Fan-outs of different tenants side by side, on PostgreSQL (issue 17): tenant A fans out one event
// to many subscribers while tenant B fans out small events one after another, straight through the
// ledger (no Temporal). Reports B's fan-out latency meanwhile and without A, and A's duration alone
// and beside B.
//
//   export TEST_POSTGRES_URL=$(bash scripts/start-postgres.sh)   # an admin URL (CREATEDB)
//   npx tsx bench/fan-out-tenants.ts
//
// BENCH_SUBSCRIBERS (20,000) sets A's fan-out, BENCH_ROUNDS (3) how many such fan-outs are timed.
// Before per-tenant locks every fan-out queued on one row, so B waited for A's whole fan-out: run
// this file from a worktree of an earlier commit to measure that (see docs/receiving-webhooks.md, 'Order').
import pg from 'pg';
import type { Kysely } from 'kysely';
import { newId } from '../src/core/ids';
import { openDatabase } from '../src/store/db';
import { Ledger, subscriptionRows } from '../src/store/ledger';
import type { Database } from '../src/store/schema';
import { percentile, round } from './report';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const B_SUBSCRIBERS = 5;
/** B's events timed with A idle, for the baseline. */
const BASELINE_EVENTS = 50;

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `count` subscriptions of `tenantId` to `pattern`, written in one transaction with the ledger's row builder. */
async function seed(db: Kysely<Database>, tenantId: string, count: number, pattern: string): Promise<void> {
  const at = new Date().toISOString();
  const rows = Array.from({ length: count }, () => subscriptionRows({ tenantId, url: 'https://example.com/hook', eventTypes: [pattern], secret: 'whsec_x' }, newId.subscription(), at));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500) {
      await trx.insertInto('subscriptions').values(rows.slice(i, i + 500).map((r) => r.subscription)).execute();
      await trx.insertInto('subscription_event_types').values(rows.slice(i, i + 500).flatMap((r) => r.patterns)).execute();
    }
  });
}

let counter = 0;
/** Accepts an event of `tenantId` and records its fan-out; returns the ms from acceptance to recorded. */
async function acceptAndFanOut(ledger: Ledger, tenantId: string, type: string, onProgress: () => void = () => {}): Promise<number> {
  const { event } = await ledger.events.insert({ tenantId, id: `evt_bench_${++counter}`, type, data: {} });
  const started = performance.now();
  await ledger.events.recordFanOut(event.id, 100, `event:${event.id}`, onProgress);
  return performance.now() - started;
}

/** B's small fan-outs, one after another, for as long as `busy()` says A's fan-out runs. */
async function smallWhile(ledger: Ledger, busy: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (busy()) latencies.push(await acceptAndFanOut(ledger, 'bench-b', 'small.made'));
  return latencies;
}

/** One round: A's big fan-out starts; once it holds its locks (first chunk written), B goes. */
async function bigRound(ledger: Ledger): Promise<{ bigMs: number; small: number[] }> {
  let begun!: () => void;
  const writing = new Promise<void>((resolve) => (begun = resolve));
  let done = false;
  const big = acceptAndFanOut(ledger, 'bench-a', 'big.made', () => begun()).finally(() => (done = true));
  await writing;
  const small = await smallWhile(ledger, () => !done);
  return { bigMs: await big, small };
}

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1) ?? 0) };
}

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('set TEST_POSTGRES_URL (scripts/start-postgres.sh prints one)');
  const name = `bench_fan_out_tenants_${process.pid}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase(url.toString());
  try {
    const ledger = new Ledger(db);
    await seed(db, 'bench-a', SUBSCRIBERS, 'big.*');
    await seed(db, 'bench-b', B_SUBSCRIBERS, 'small.*');
    const baseline: number[] = [];
    for (let i = 0; i < BASELINE_EVENTS; i++) baseline.push(await acceptAndFanOut(ledger, 'bench-b', 'small.made'));
    // A alone first: what B's fan-outs beside it cost A.
    const bigAlone: number[] = [];
    for (let r = 0; r < ROUNDS; r++) bigAlone.push(await acceptAndFanOut(ledger, 'bench-a', 'big.made'));
    const big: number[] = [];
    const during: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const result = await bigRound(ledger);
      big.push(result.bigMs);
      during.push(...result.small);
    }
    const report = { subscribers: SUBSCRIBERS, rounds: ROUNDS, bigAloneMs: stats(bigAlone), bigBesideSmallMs: stats(big), smallAloneMs: stats(baseline), smallDuringBigMs: stats(during) };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await db.destroy();
    await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
