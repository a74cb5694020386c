// The bench's own load on the product: five subscribers to `bench.*`, a warm-up, phase A (as fast
// as the stack goes) and phase B (paced), the history cost of a sample of phase A, the peak memory
// after them, and the machine's plain HTTP ceiling. Each is a run function of the phases table
// (bench/phases.ts).
import type SQLite from 'better-sqlite3';
import { historyCost } from './history';
import { ceilingPerSecond, publishAll, publishPaced } from './load';
import { phaseWindow, summarize } from './measure';
import type { Audience, BenchContext, Measured } from './phase';
import { required } from './phase';
import { GiveUp, peakRssMb, waitUntil } from './procs';
import { pad, round } from './report';
import { deathCheck } from './stack';

/** Delivery statuses of one phase's events, read straight from the ledger. */
function ledgerCounts(ledger: SQLite.Database, phase: string): Record<string, number> {
  const rows = ledger
    .prepare('SELECT status, count(*) AS n FROM deliveries WHERE event_id LIKE ? GROUP BY status')
    .all(`${phase}-%`) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Waits until the receiver saw and the ledger recorded `expected` successful deliveries of `phase`. */
async function awaitDeliveries({ stack, receiver, params }: BenchContext, phase: string, expected: number): Promise<void> {
  try {
    await waitUntil(() => {
      deathCheck(stack.temporal, stack.gateway, stack.worker);
      const counts = ledgerCounts(stack.ledger, phase);
      if (counts.failed || counts.cancelled) throw new GiveUp(`phase ${phase}: deliveries ended badly: ${JSON.stringify(counts)}`);
      return receiver.firstAttempts(phase) >= expected && (counts.succeeded ?? 0) >= expected;
    }, { what: `${expected} deliveries of phase ${phase}`, timeoutMs: params.phaseTimeoutSeconds * 1000 });
  } catch (err) {
    const progress = `receiver saw ${receiver.firstAttempts(phase)}/${expected} first attempts; ledger ${JSON.stringify(ledgerCounts(stack.ledger, phase))}`;
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${progress})`);
  }
}

/** Subscribers (one receiver path each, all matching `bench.*`), then warm-up events delivered to all of them. */
export async function subscribeAndWarmUp(ctx: BenchContext): Promise<Audience> {
  const { stack, receiver, params, say } = ctx;
  const paths = Array.from({ length: params.subscribers }, (_, i) => `/sub-${i + 1}`);
  const subscriptionIds: string[] = [];
  for (const p of paths) {
    const subscription = await stack.api.subscriptions.create({ tenantId: 'default', url: receiver.url(p), eventTypes: ['bench.*'] });
    subscriptionIds.push(subscription.id);
  }
  const acceptedAt = new Map<string, number>();
  say(`warm-up: ${params.warmupEvents} events`);
  const warm = Array.from({ length: params.warmupEvents }, (_, i) => `w-${pad(i)}`);
  await publishAll(stack.api, warm, params.concurrency, acceptedAt);
  await awaitDeliveries(ctx, 'w', warm.length * paths.length);
  return { paths, subscriptionIds, acceptedAt };
}

/** Phase A: as fast as the stack goes, `concurrency` posts in flight. */
export async function fullSpeed(ctx: BenchContext): Promise<Measured['phaseA']> {
  const { stack, receiver, params, say } = ctx;
  const { paths, acceptedAt } = required(ctx.measured, 'warmUp');
  const M = paths.length;
  say(`phase A: ${params.events} events x ${M} subscribers, ${params.concurrency} in flight`);
  const ids = Array.from({ length: params.events }, (_, i) => `a-${pad(i)}`);
  const usage = await phaseWindow(stack);
  await publishAll(stack.api, ids, params.concurrency, acceptedAt);
  await awaitDeliveries(ctx, 'a', ids.length * M);
  const result = summarize(ids, paths, acceptedAt, receiver, await usage(ids.length * M));
  say(`phase A: ${result.deliveriesPerSecond} deliveries/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
  return { ...result, ids };
}

/** Phase B: open loop paced so deliveries arrive at ~fixedRate/s (events/s = rate / subscribers). */
export async function fixedRate(ctx: BenchContext): Promise<Measured['phaseB']> {
  const { stack, receiver, params, say } = ctx;
  const { paths, acceptedAt } = required(ctx.measured, 'warmUp');
  const M = paths.length;
  const intervalMs = (1000 * M) / params.fixedRate;
  const count = Math.max(1, Math.round((params.fixedRateSeconds * 1000) / intervalMs));
  say(`phase B: ${count} events every ${round(intervalMs)} ms (~${params.fixedRate} deliveries/s)`);
  const ids = Array.from({ length: count }, (_, i) => `b-${pad(i)}`);
  const usage = await phaseWindow(stack);
  await publishPaced(stack.api, ids, intervalMs, params.concurrency * 4, acceptedAt);
  await awaitDeliveries(ctx, 'b', ids.length * M);
  const result = summarize(ids, paths, acceptedAt, receiver, await usage(ids.length * M));
  say(`phase B: ${result.deliveriesPerSecond} deliveries/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
  return { ...result, events: count };
}

/** History cost: an evenly spread sample of phase A's events, all their workflows. */
export async function historySample({ stack, params, say, measured }: BenchContext): Promise<Measured['history']> {
  const idsA = required(measured, 'phaseA').ids;
  const { subscriptionIds } = required(measured, 'warmUp');
  const step = Math.max(1, Math.floor(idsA.length / params.historySample));
  const sample = idsA.filter((_, i) => i % step === 0).slice(0, params.historySample);
  say(`history: ${sample.length} events, ${sample.length * (subscriptionIds.length + 1)} workflows`);
  return { sampleEvents: sample.length, cost: await historyCost(stack.client, sample, subscriptionIds, 60_000) };
}

/** Peak memory of each process so far, and the repeated deliveries the receiver counted. */
export async function peakMemory({ stack, receiver }: BenchContext): Promise<Measured['peakMemory']> {
  return {
    worker: peakRssMb(stack.worker.pid),
    gateway: peakRssMb(stack.gateway.pid),
    temporal: peakRssMb(stack.temporal.pid),
    repeatedDeliveries: receiver.repeats,
  };
}

/** The receiver driven by a plain HTTP loop: the machine's limit, with the stack stopped. */
export async function httpCeiling({ receiver, params, say }: BenchContext): Promise<number> {
  say(`ceiling: ${params.ceilingRequests} plain POSTs, ${params.concurrency} in flight`);
  return round(await ceilingPerSecond(receiver.url('/ceiling'), params.ceilingRequests, params.concurrency));
}
