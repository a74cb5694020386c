// Intake phase of `npm run bench` (issue 18's goals): how fast the gateway answers posts. 3,000
// events posted one by one, 20 in flight: events/s and each post's send → answer latency. Then
// single batches of 1,000 events, one at a time: how long each takes to be answered. The answer
// comes from the ledger commit; the phase then waits until every event's workflow has fanned it
// out, so the next way starts on a quiet stack. The events' type matches no subscription: their
// workflows fan out to nothing and the phase stays about intake.
//
// `npm run bench` runs it last on its stack (BENCH_INTAKE_EVENTS=0 skips it). Alone, on a stack of
// its own: `npx tsx bench/intake.ts` (prints the results; writes no file).
import { runPhaseAlone } from './alone';
import { countEnv } from './env';
import { publish } from './load';
import { GiveUp, waitUntil } from './procs';
import { pad, percentile, round } from './report';
import { deathCheck, type Stack } from './stack';

const SINGLE_TYPE = 'benchintake.single';
const BATCH_TYPE = 'benchintake.batch';

export const intakeParams = {
  /** Events posted singly; 0 skips the phase. */
  events: countEnv('BENCH_INTAKE_EVENTS', 3000),
  singleConcurrency: 20,
  batchSize: 1000,
  /** Batches posted one after another, each timed. */
  batches: 3,
  /** Per wait for one way's events to be dispatched, before the other way starts. */
  drainTimeoutSeconds: countEnv('BENCH_INTAKE_DRAIN_SECONDS', 150),
};

/** What the phase adds to the bench's hard time bound: its two drains and the posting. */
export const intakeBudgetSeconds = intakeParams.events === 0 ? 0 : 2 * intakeParams.drainTimeoutSeconds + 120;

export interface IntakeWay {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Per request (a post or a batch), send → answer. */
  answerMs: { p50: number; p99: number; max: number };
  /** From the first request until every event's workflow had recorded its (empty) fan-out. */
  secondsUntilDispatched: number;
}

export interface IntakeResult {
  params: typeof intakeParams;
  single: IntakeWay;
  batch: IntakeWay;
}

/** Event ids `<prefix>-<n>`; the prefixes are this phase's own (other phases use a-, b-, ib-, ih-…). */
const idsOf = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${pad(i)}`);

const data = (n: number) => ({ n, order: { id: `ord_${n}`, total: 4200, currency: 'EUR', lines: [{ sku: 'sku_1', qty: 2 }] } });

/** Runs `lanes` loops over `jobs` until none is left; returns each job's send → answer time in ms. */
async function inLanes<T>(jobs: T[], lanes: number, run: (job: T) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const sent = performance.now();
      await run(job);
      times.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, jobs.length) }, lane));
  return times;
}

function postSingles(stack: Stack, ids: string[]): Promise<number[]> {
  return inLanes(
    ids.map((id, n) => ({ id, n })),
    intakeParams.singleConcurrency,
    ({ id, n }) => publish(stack.api, id, n, SINGLE_TYPE),
  );
}

function postBatches(stack: Stack, ids: string[]): Promise<number[]> {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += intakeParams.batchSize) batches.push(ids.slice(i, i + intakeParams.batchSize));
  return inLanes(batches, 1, async (batch) => {
    const events = batch.map((id, n) => ({ id, tenantId: 'default', type: BATCH_TYPE, data: data(n) }));
    const results = await stack.api.events.sendBatch(events);
    const accepted = results.filter((r) => r.status === 202).length;
    if (accepted !== batch.length) {
      throw new Error(`POST /v1/events/batch: ${accepted} of ${batch.length} accepted: ${JSON.stringify(results.filter((r) => r.status !== 202)).slice(0, 300)}`);
    }
  });
}

/** Posts `count` events one way and waits until all are dispatched, so the next way starts on a quiet stack. */
async function measure(stack: Stack, prefix: string, count: number, post: (stack: Stack, ids: string[]) => Promise<number[]>): Promise<IntakeWay> {
  const ids = idsOf(prefix, count);
  const dispatched = stack.ledger.prepare("SELECT count(*) FROM events WHERE id LIKE ? AND status = 'dispatched'").pluck();
  const started = performance.now();
  const times = (await post(stack, ids)).sort((a, b) => a - b);
  const seconds = (performance.now() - started) / 1000;
  await waitUntil(
    () => {
      deathCheck(stack.temporal, stack.gateway, stack.worker);
      const n = dispatched.get(`${prefix}-%`) as number;
      if (n > ids.length) throw new GiveUp(`more ${prefix} events than posted: ${n}`);
      return n === ids.length;
    },
    { what: `${ids.length} intake events (${prefix}) dispatched`, timeoutMs: intakeParams.drainTimeoutSeconds * 1000, intervalMs: 250 },
  );
  return {
    events: ids.length,
    seconds: round(seconds, 2),
    eventsPerSecond: round(ids.length / seconds),
    answerMs: { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), max: round(times[times.length - 1]!) },
    secondsUntilDispatched: round((performance.now() - started) / 1000, 1),
  };
}

/** The phase, on a running bench stack. */
export async function intakePhase(stack: Stack, say: (message: string) => void): Promise<IntakeResult | undefined> {
  const N = intakeParams.events;
  if (N === 0) return undefined;
  // Both ways once, unmeasured: code paths loaded and compiled, connections open.
  await measure(stack, 'intake-warm-single', 20, postSingles);
  await measure(stack, 'intake-warm-batch', 20, postBatches);
  say(`intake: ${N} events posted singly, ${intakeParams.singleConcurrency} in flight`);
  const single = await measure(stack, 'intake-single', N, postSingles);
  say(`intake: singly ${single.eventsPerSecond} events/s, answer p99 ${single.answerMs.p99} ms; now ${intakeParams.batches} batches of ${intakeParams.batchSize}`);
  const batch = await measure(stack, 'intake-batch', intakeParams.batches * intakeParams.batchSize, postBatches);
  say(`intake: a batch of ${intakeParams.batchSize} answered in ${batch.answerMs.p50} ms (slowest ${batch.answerMs.max} ms)`);
  return { params: intakeParams, single, batch };
}

export function intakeRows(r: IntakeResult | undefined): [string, string | number | undefined][] {
  if (!r) return [];
  return [
    [`intake: ${r.single.events} events singly (${r.params.singleConcurrency} in flight) / s`, r.single.eventsPerSecond],
    ['intake: post answered p50 / p99 ms', `${r.single.answerMs.p50} / ${r.single.answerMs.p99}`],
    [`intake: a batch of ${r.params.batchSize} answered in ms (median / slowest of ${r.params.batches})`, `${r.batch.answerMs.p50} / ${r.batch.answerMs.max}`],
  ];
}

/** `npx tsx bench/intake.ts`: this phase alone, on a stack of its own. */
if (require.main === module) runPhaseAlone('intake', (stack, _receiver, say) => intakePhase(stack, say), intakeRows);
