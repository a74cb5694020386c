// `npm run bench` as a table: the phases it runs, in order, on one stack, each with what it
// measures and its run function. bench/run.ts walks the table; bench/README.md describes it.
// The order matters: the headline figures first on the freshest server, then the main load, and
// whatever would skew them (hanging requests, large backlogs, bare workflows) after them.
import { fanOutPhase } from './fanout';
import { fifoPhase } from './fifo';
import { inFlightPhase } from './inflight';
import { intakeParams, intakePhase } from './intake';
import { isolationPhase } from './isolation';
import { latencyPhase } from './latency';
import { fixedRate, fullSpeed, historySample, httpCeiling, peakMemory, subscribeAndWarmUp } from './main-load';
import { type AnyPhase, required } from './phase';
import { shapesDefaults, shapesPhase } from './shapes';
import { temporalCeiling } from './temporal-ceiling';
import { tenantsDefaults, tenantsPhase } from './tenants';

/** Peak memory after the fan-out, for the fan-out-only run. */
const fanOutPeakMemory: AnyPhase = { name: 'peakMemory', measures: 'peak RSS of the worker, gateway and Temporal after the fan-out', run: peakMemory };

const largeFanOut: AnyPhase = {
  name: 'fanOut',
  measures: 'one event to BENCH_FANOUT_SUBSCRIBERS subscribers: time to record, start and deliver them all, history sizes',
  enabled: (p) => p.fanOutSubscribers > 0,
  run: ({ stack, receiver, params, say }) => fanOutPhase(stack, receiver, { subscribers: params.fanOutSubscribers, timeoutSeconds: params.fanOutTimeoutSeconds, say }),
};

/** The default run: bench/results.json. */
export const MAIN_PHASES: AnyPhase[] = [
  {
    name: 'shapes',
    measures: 'one-subscriber events and a 300-subscriber fan-out, each beside bare Temporal of the same shape',
    enabled: (p) => p.shapes,
    run: ({ stack, receiver, say }) => shapesPhase(stack, receiver, shapesDefaults(say)),
  },
  {
    name: 'latency',
    measures: 'post → first attempt at 5 events/s and at half the one-subscriber ceiling',
    enabled: (p) => p.latency,
    run: ({ stack, receiver, say, measured }) => latencyPhase(stack, receiver, say, measured.shapes?.oneSubscriber.product.deliveriesPerSecond),
  },
  { name: 'warmUp', measures: "nothing: subscribes the main load's receivers and warms the stack up", run: subscribeAndWarmUp },
  { name: 'phaseA', measures: 'sustained deliveries/s and accept → first attempt, as fast as the stack goes', run: fullSpeed },
  { name: 'phaseB', measures: 'accept → first attempt at a paced rate (BENCH_RATE, default 100 deliveries/s)', run: fixedRate },
  { name: 'history', measures: "history events and Temporal Actions per delivery, from a sample of phase A's workflows", run: historySample },
  { name: 'peakMemory', measures: 'peak RSS of the worker, gateway and Temporal after the main load', run: peakMemory },
  {
    name: 'isolation',
    measures: "healthy subscribers' latency with and without a subscriber that never answers",
    enabled: (p) => p.isolationSeconds > 0,
    run: ({ stack, receiver, params, say, measured }) =>
      isolationPhase(stack, receiver, {
        healthyPaths: required(measured, 'warmUp').paths,
        rate: params.isolationRate,
        seconds: params.isolationSeconds,
        maxInFlight: params.concurrency * 4,
        timeoutSeconds: params.phaseTimeoutSeconds,
        say,
      }),
  },
  {
    name: 'tenants',
    measures: "a small tenant's latency beside a large tenant's hanging endpoints and backlog",
    enabled: (p) => p.tenants,
    run: ({ stack, receiver, say }) => tenantsPhase(stack, receiver, tenantsDefaults(say)),
  },
  {
    name: 'temporalCeiling',
    measures: 'workflows/s of a bare workflow with one no-op activity: what the Temporal server alone allows here',
    enabled: (p) => p.temporalCeilingWorkflows > 0,
    run: async ({ stack, params, say }) => {
      say(`temporal ceiling: ${params.temporalCeilingWorkflows} workflows with one no-op activity, ${params.concurrency * 2} at once`);
      const result = await temporalCeiling(stack, params.temporalCeilingWorkflows, params.concurrency * 2);
      say(`temporal ceiling: ${result.workflowsPerSecond} workflows/s`);
      return result;
    },
  },
  largeFanOut,
  {
    name: 'intake',
    measures: 'posts answered from the ledger commit: single posts against 1,000-event batches',
    enabled: () => intakeParams.events > 0,
    run: ({ stack, say }) => intakePhase(stack, say),
  },
  {
    name: 'fifo',
    measures: "a FIFO subscription's deliveries/s beside an unordered one, and its queue's Actions",
    enabled: (p) => p.fifoEvents > 0,
    run: ({ stack, receiver, params, say }) => fifoPhase(stack, receiver, params.fifoEvents, 300, say),
  },
  { name: 'httpCeiling', measures: "plain HTTP POSTs to the same receiver, with the stack stopped: the machine's own limit", stack: 'stopped', run: httpCeiling },
];

/** BENCH_ONLY_FANOUT=1: the large fan-out alone, bench/fanout-results.json. */
export const FAN_OUT_ONLY_PHASES: AnyPhase[] = [largeFanOut, fanOutPeakMemory];

/** BENCH_INFLIGHT_DELIVERIES > 0: deliveries left awaiting confirmation, bench/inflight-results.json. */
export const IN_FLIGHT_PHASES: AnyPhase[] = [
  {
    name: 'inFlight',
    measures: 'worker memory while BENCH_INFLIGHT_DELIVERIES deliveries await a confirmation that never comes',
    run: ({ stack, receiver, params, say }) =>
      inFlightPhase(stack, receiver, { deliveries: params.inFlightDeliveries, timeoutSeconds: params.inFlightTimeoutSeconds, say }),
  },
];
