// `npm run bench`'s settings, from BENCH_* in the environment (bench/env.ts checks them). The
// phases table (bench/phases.ts) reads them to decide what runs and how much.
import { countEnv, intEnv, sqlitePragmasEnv, temporalDbEnv } from './env';
import { intakeBudgetSeconds } from './intake';

/** Fan-out phase: this many subscribers to one event type, one event; 0 skips the phase. */
const fanOutSubscribers = countEnv('BENCH_FANOUT_SUBSCRIBERS', 0);
/** Deadline for each of the fan-out's milestones, from the event's acceptance. */
const fanOutTimeoutSeconds = intEnv('BENCH_FANOUT_TIMEOUT_SECONDS', 1800);
/** Only the fan-out phase (no phases A/B, history sample or ceiling); writes bench/fanout-results.json. */
const onlyFanOut = process.env.BENCH_ONLY_FANOUT === '1';
if (onlyFanOut && fanOutSubscribers === 0) throw new Error('BENCH_ONLY_FANOUT=1 needs BENCH_FANOUT_SUBSCRIBERS > 0');
/** In-flight run alone: this many deliveries left awaiting confirmation; writes bench/inflight-results.json. */
const inFlightDeliveries = countEnv('BENCH_INFLIGHT_DELIVERIES', 0);
const inFlightTimeoutSeconds = intEnv('BENCH_INFLIGHT_TIMEOUT_SECONDS', 1800);

/**
 * The whole run, after which everything is killed and the run fails. The fan-out phase adds its
 * deadline plus time for setup and for reading its histories.
 */
function maxSecondsDefault(): number {
  if (inFlightDeliveries > 0) return inFlightTimeoutSeconds + 300;
  const fanOut = fanOutSubscribers > 0 ? fanOutTimeoutSeconds + 180 + Math.ceil(fanOutSubscribers / 500) : 0;
  return (onlyFanOut ? 180 : 600 + intakeBudgetSeconds + 300 + 900 + 300) + fanOut;
}

export const params = {
  events: intEnv('BENCH_EVENTS', 300),
  subscribers: intEnv('BENCH_SUBSCRIBERS', 5),
  concurrency: intEnv('BENCH_CONCURRENCY', 32),
  /** The speed goals' shapes (bench/shapes.ts): one-subscriber events and a 300-subscriber fan-out, each beside bare Temporal; 0 skips them. */
  shapes: countEnv('BENCH_SHAPES', 1) > 0,
  /** Two tenants (bench/tenants.ts): the small one's latency beside the large one's hanging endpoints and backlog; 0 skips it. */
  tenants: countEnv('BENCH_TENANTS', 1) > 0,
  /** Post → first attempt at a steady rate (bench/latency.ts); 0 skips it. */
  latency: countEnv('BENCH_LATENCY', 1) > 0,
  /** Phase B: target deliveries per second and for how long. */
  fixedRate: intEnv('BENCH_RATE', 100),
  fixedRateSeconds: intEnv('BENCH_RATE_SECONDS', 10),
  /** Isolation phase: healthy deliveries/s and seconds per run (twice); 0 seconds skips it. */
  isolationRate: intEnv('BENCH_ISOLATION_RATE', 10),
  /** FIFO phase: events to a FIFO subscription and an unordered one beside it; 0 skips it. */
  fifoEvents: countEnv('BENCH_FIFO_EVENTS', 200),
  isolationSeconds: countEnv('BENCH_ISOLATION_SECONDS', 30),
  /** Temporal ceiling phase: minimal workflows (one no-op activity each); 0 skips it. */
  temporalCeilingWorkflows: countEnv('BENCH_TEMPORAL_CEILING_WORKFLOWS', 1500),
  /** Events whose workflows' histories are fetched and counted. */
  historySample: intEnv('BENCH_HISTORY_SAMPLE', 20),
  ceilingRequests: intEnv('BENCH_CEILING_REQUESTS', 20_000),
  /** Events sent (and fully delivered) before measuring: bundle load, JIT, connection pools. */
  warmupEvents: intEnv('BENCH_WARMUP_EVENTS', 10),
  /** Per wait for a phase's deliveries. */
  phaseTimeoutSeconds: intEnv('BENCH_PHASE_TIMEOUT_SECONDS', 150),
  /** Temporal's store: the SQLite file `npm run dev` uses (default) or 'memory' (BENCH_TEMPORAL_DB=memory). */
  temporalDb: temporalDbEnv(),
  sqlitePragmas: sqlitePragmasEnv(),
  /** Dev server dynamic config, `KEY=VALUE` separated by spaces (e.g. history.cacheMaxSize=20000). */
  temporalDynamicConfig: (process.env.BENCH_TEMPORAL_DYNAMIC_CONFIG ?? '').split(/\s+/).filter(Boolean),
  fanOutSubscribers,
  fanOutTimeoutSeconds,
  onlyFanOut,
  inFlightDeliveries,
  inFlightTimeoutSeconds,
  maxSeconds: intEnv('BENCH_MAX_SECONDS', maxSecondsDefault()),
};

export type BenchParams = typeof params;
