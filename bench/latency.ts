// Latency phase of `npm run bench` (issue 18): post → first attempt of one-subscriber events posted
// at a steady rate, timed from when the post was sent (so the answer's own time counts): at
// 5 events/s, and at half the stack's measured ceiling for this shape. The ceiling is the
// one-subscriber shape's deliveries/s when the shapes phase ran, else a closed-loop run of its own.
//
// Alone, on a stack of its own: `npx tsx bench/latency.ts`.
import { runPhaseAlone } from './alone';
import { publishAll, publishPaced } from './load';
import { GiveUp, waitUntil } from './procs';
import type { BenchReceiver } from './receiver';
import { pad, percentile, round } from './report';
import { deathCheck, type Stack } from './stack';

const PATH = '/latency';
const TYPE = 'latency.created';

export interface LatencyRun {
  targetPerSecond: number;
  events: number;
  /** Deliveries/s reached, first post → last first attempt. */
  achievedPerSecond: number;
  postToFirstAttemptMs: { p50: number; p95: number; p99: number; max: number };
}

export interface LatencyResult {
  ceilingPerSecond: number;
  ceilingFrom: 'shapes' | 'own closed-loop run';
  atFive: LatencyRun;
  atHalfCeiling: LatencyRun;
}

export const latencyDefaults = { seconds: Number(process.env.BENCH_LATENCY_SECONDS ?? 30), ceilingEvents: 300, concurrency: 20, timeoutSeconds: 300 };

async function awaitArrivals(stack: Stack, receiver: BenchReceiver, phase: string, expected: number): Promise<void> {
  await waitUntil(
    () => {
      deathCheck(stack.temporal, stack.gateway, stack.worker);
      if (receiver.firstAttempts(phase) > expected) throw new GiveUp(`phase ${phase}: more first attempts than events`);
      return receiver.firstAttempts(phase) === expected;
    },
    { what: `${expected} first attempts of phase ${phase} (saw ${receiver.firstAttempts(phase)})`, timeoutMs: latencyDefaults.timeoutSeconds * 1000 },
  );
}

/** `rate` events/s for the phase's seconds, each to the one subscriber; latency from each post's send. */
async function paced(stack: Stack, receiver: BenchReceiver, phase: string, rate: number): Promise<LatencyRun> {
  const ids = Array.from({ length: Math.max(10, Math.round(rate * latencyDefaults.seconds)) }, (_, i) => `${phase}-${pad(i)}`);
  const sentAt = new Map<string, number>();
  await publishPaced(stack.api, ids, 1000 / rate, latencyDefaults.concurrency * 5, new Map(), TYPE, sentAt);
  await awaitArrivals(stack, receiver, phase, ids.length);
  const r = timings(ids, sentAt, receiver);
  return { targetPerSecond: round(rate), events: ids.length, achievedPerSecond: r.perSecond, postToFirstAttemptMs: r.latency };
}

/** Each event's start (`from`) → its first attempt: percentiles, and deliveries/s from the first start to the last arrival. */
function timings(ids: string[], from: Map<string, number>, receiver: BenchReceiver) {
  const arrivals = ids.map((id) => receiver.firstArrival.get(`${id} ${PATH}`)!);
  const latencies = ids.map((id, i) => arrivals[i]! - from.get(id)!).sort((a, b) => a - b);
  const first = Math.min(...ids.map((id) => from.get(id)!));
  const at = (p: number) => round(percentile(latencies, p));
  return {
    perSecond: round(ids.length / ((Math.max(...arrivals) - first) / 1000)),
    latency: { p50: at(50), p95: at(95), p99: at(99), max: round(latencies[latencies.length - 1]!) },
  };
}

async function closedLoopCeiling(stack: Stack, receiver: BenchReceiver): Promise<number> {
  const ids = Array.from({ length: latencyDefaults.ceilingEvents }, (_, i) => `lc-${pad(i)}`);
  const acceptedAt = new Map<string, number>();
  await publishAll(stack.api, ids, latencyDefaults.concurrency, acceptedAt, TYPE);
  await awaitArrivals(stack, receiver, 'lc', ids.length);
  return timings(ids, acceptedAt, receiver).perSecond;
}

/** The phase, on a running bench stack; `ceiling`: the one-subscriber deliveries/s measured before, if any. */
export async function latencyPhase(stack: Stack, receiver: BenchReceiver, say: (m: string) => void, ceiling?: number): Promise<LatencyResult> {
  await stack.api.subscriptions.create({ tenantId: 'default', url: receiver.url(PATH), eventTypes: [TYPE] });
  await paced(stack, receiver, 'lw', 5); // warm-up: code paths compiled, connections open
  const ceilingPerSecond = ceiling ?? (await closedLoopCeiling(stack, receiver));
  say(`latency: ceiling ${ceilingPerSecond} deliveries/s; ${latencyDefaults.seconds} s at 5 events/s`);
  const atFive = await paced(stack, receiver, 'l5', 5);
  say(`latency: at 5/s p50 ${atFive.postToFirstAttemptMs.p50} ms, p99 ${atFive.postToFirstAttemptMs.p99} ms; now at ${round(ceilingPerSecond / 2)}/s`);
  const atHalfCeiling = await paced(stack, receiver, 'lh', ceilingPerSecond / 2);
  say(`latency: at half the ceiling p50 ${atHalfCeiling.postToFirstAttemptMs.p50} ms, p99 ${atHalfCeiling.postToFirstAttemptMs.p99} ms`);
  return { ceilingPerSecond, ceilingFrom: ceiling === undefined ? 'own closed-loop run' : 'shapes', atFive, atHalfCeiling };
}

export function latencyRows(r: LatencyResult | undefined): [string, string][] {
  if (!r) return [];
  const ms = (run: LatencyRun) => `${run.postToFirstAttemptMs.p50} / ${run.postToFirstAttemptMs.p99} (${run.achievedPerSecond}/s reached)`;
  return [
    ['at 5 events/s: post → first attempt p50 / p99 ms', ms(r.atFive)],
    [`at half the ceiling (${round(r.ceilingPerSecond / 2)}/s of ${r.ceilingPerSecond}/s): post → first attempt p50 / p99 ms`, ms(r.atHalfCeiling)],
  ];
}

/** `npx tsx bench/latency.ts`: this phase alone, on a stack of its own. */
if (require.main === module) runPhaseAlone('latency', (stack, receiver, say) => latencyPhase(stack, receiver, say), latencyRows);
