// In-flight phase of `npm run bench` (BENCH_INFLIGHT_DELIVERIES > 0): one event to N subscribers
// that require confirmation and never give it, so every delivery stays open in Temporal,
// awaiting confirmation. The worker's memory is sampled as the number in flight grows: the goal
// is that it stays bounded (the worker's workflow cache evicts idle deliveries), not that it
// grows with N.
import { configSchema } from '../src/core/config';
import { insertSubscriptions } from './fanout-setup';
import { publish } from './load';
import { rssMb } from './procs';
import { type BenchReceiver } from './receiver';
import { round } from './report';
import { deathCheck, type Stack } from './stack';

const EVENT_TYPE = 'benchinflight.created';
const EVENT_ID = 'inflight-000000';
/** Long enough that no confirmation wait ends while the phase runs. */
const CONFIRMATION_TIMEOUT_MS = 6 * 3_600_000;

export interface InFlightOptions {
  deliveries: number;
  timeoutSeconds: number;
  say: (message: string) => void;
}

interface Sample {
  s: number;
  awaitingConfirmation: number;
  workerRssMb: number | undefined;
}

export interface InFlightResult {
  inFlightTarget: number;
  /** Deliveries awaiting confirmation when the phase ended. */
  inFlightReached: number;
  timedOut: boolean;
  elapsedSeconds: number;
  /** Worker RSS when a quarter, half and all of the target were in flight. */
  workerRssMbAt: Record<string, number | undefined>;
  workerPeakRssMb: number;
  /** RSS growth from half the target in flight to all of it: near 0 when memory is bounded. */
  workerRssGrowthSecondHalfPercent: number;
  /** The worker's workflow cache size (WORKER_MAX_CACHED_WORKFLOWS) during the run. */
  workerMaxCachedWorkflows: number;
  timeline: Sample[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function inFlightPhase(stack: Stack, receiver: BenchReceiver, { deliveries: N, timeoutSeconds, say }: InFlightOptions): Promise<InFlightResult> {
  say(`in-flight: ${N} subscribers that require confirmation (and never confirm)`);
  insertSubscriptions(stack.ledgerFile, N, EVENT_TYPE, (i) => receiver.url(`/inflight/${i + 1}`), {
    confirmation_timeout_ms: CONFIRMATION_TIMEOUT_MS,
    description: 'bench in-flight',
  });
  const awaiting = stack.ledger
    .prepare("SELECT count(*) FROM deliveries WHERE event_id = ? AND status = 'awaiting_confirmation'")
    .pluck();
  await publish(stack.api, EVENT_ID, 0, EVENT_TYPE);
  const t0 = performance.now();
  const deadline = t0 + timeoutSeconds * 1000;
  const timeline: Sample[] = [];
  const at: Record<string, number | undefined> = {};
  const marks = [0.25, 0.5, 1];
  let peak = 0;
  let last: Sample = { s: 0, awaitingConfirmation: 0, workerRssMb: undefined };
  let timedOut = false;
  for (let i = 0; ; i++) {
    deathCheck(stack.temporal, stack.gateway, stack.worker);
    last = { s: round((performance.now() - t0) / 1000), awaitingConfirmation: awaiting.get(EVENT_ID) as number, workerRssMb: rssMb(stack.worker.pid) };
    peak = Math.max(peak, last.workerRssMb ?? 0);
    for (const m of marks) {
      const key = String(Math.round(m * N));
      if (!(key in at) && last.awaitingConfirmation >= m * N) at[key] = last.workerRssMb;
    }
    if (i % 5 === 0) {
      timeline.push(last);
      say(`in-flight: ${last.s} s: ${last.awaitingConfirmation} of ${N} awaiting confirmation, worker RSS ${last.workerRssMb} MB`);
    }
    if (last.awaitingConfirmation >= N) break;
    if (performance.now() >= deadline) {
      timedOut = true;
      break;
    }
    await sleep(2_000);
  }
  timeline.push(last);
  const half = at[String(Math.round(0.5 * N))];
  const full = at[String(N)];
  return {
    inFlightTarget: N,
    inFlightReached: last.awaitingConfirmation,
    timedOut,
    elapsedSeconds: last.s,
    workerRssMbAt: at,
    workerPeakRssMb: peak,
    workerRssGrowthSecondHalfPercent: half === undefined || full === undefined ? Number.NaN : round(((full - half) / half) * 100),
    // The worker inherits this process's environment: the same parse gives the value it runs with.
    workerMaxCachedWorkflows: configSchema.shape.WORKER_MAX_CACHED_WORKFLOWS.parse(process.env.WORKER_MAX_CACHED_WORKFLOWS || undefined),
    timeline,
  };
}
