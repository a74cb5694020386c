// What a bench phase is: a named measurement with its run function, so `npm run bench` is a table
// of phases (bench/phases.ts) that bench/run.ts walks on one stack, in order, instead of one long
// script. Each phase leaves its result under its name in `measured`, where later phases and the
// report read it.
import type { FanOutResult } from './fanout';
import type { FifoResult } from './fifo';
import type { HistoryCost } from './history';
import type { InFlightResult } from './inflight';
import type { IntakeResult } from './intake';
import type { IsolationResult } from './isolation';
import type { LatencyResult } from './latency';
import type { PhaseResult } from './measure';
import type { BenchParams } from './params';
import type { BenchReceiver } from './receiver';
import type { ShapesResult } from './shapes';
import type { Stack } from './stack';
import type { TemporalCeilingResult } from './temporal-ceiling';
import type { TenantsResult } from './tenants';

/** The subscribers phases A and B (and the isolation phase) deliver to, all matching `bench.*`. */
export interface Audience {
  /** One receiver path per subscriber. */
  paths: string[];
  subscriptionIds: string[];
  /** When the gateway accepted each event of the warm-up, phase A and phase B, by event id. */
  acceptedAt: Map<string, number>;
}

/** Everything a run measured so far, by phase name; a phase that did not run leaves its name unset. */
export interface Measured {
  shapes?: ShapesResult;
  latency?: LatencyResult;
  warmUp?: Audience;
  phaseA?: PhaseResult & { ids: string[] };
  phaseB?: PhaseResult & { events: number };
  history?: { sampleEvents: number; cost: HistoryCost };
  peakMemory?: { worker?: number; gateway?: number; temporal?: number; repeatedDeliveries: number };
  isolation?: IsolationResult;
  tenants?: TenantsResult;
  temporalCeiling?: TemporalCeilingResult;
  fanOut?: FanOutResult;
  intake?: IntakeResult;
  fifo?: FifoResult;
  httpCeiling?: number;
  inFlight?: InFlightResult;
}

export interface BenchContext {
  /** The stack every phase runs on; stopped before the first phase that asks for it stopped. */
  stack: Stack;
  receiver: BenchReceiver;
  params: BenchParams;
  say: (message: string) => void;
  measured: Measured;
}

export interface Phase<K extends keyof Measured> {
  name: K;
  /** What it measures, in a line: bench/README.md describes the same. */
  measures: string;
  /** Whether this run includes it (most phases have a BENCH_* setting whose 0 skips them); default: always. */
  enabled?: (params: BenchParams) => boolean;
  /** 'stopped': the stack is stopped before it runs, so its processes skew nothing; it must not use ctx.stack. */
  stack?: 'running' | 'stopped';
  run: (ctx: BenchContext) => Promise<Measured[K]>;
}

/** Any phase of the table, whatever its name. */
export type AnyPhase = { [K in keyof Measured]-?: Phase<K> }[keyof Measured];

/** Runs one phase and keeps its result under its name. */
export async function runPhase<K extends keyof Measured>(phase: Phase<K>, ctx: BenchContext): Promise<void> {
  ctx.measured[phase.name] = await phase.run(ctx);
}

/** A phase's result that the report cannot do without; an error if that phase did not run. */
export function required<K extends keyof Measured>(measured: Measured, name: K): NonNullable<Measured[K]> {
  const value = measured[name];
  if (value === undefined || value === null) throw new Error(`bench: the ${name} phase did not run, and the report needs it`);
  return value;
}

/** What the report of a run is given besides the measurements. */
export interface RunInfo {
  params: BenchParams;
  /** The 1-minute load average when the run started: other work on the machine skews everything. */
  loadAtStart: number;
  say: (message: string) => void;
}

/** One kind of `npm run bench` run: its phases table and the report that writes its results file and prints its tables. */
export interface BenchRun {
  phases: AnyPhase[];
  report: (measured: Measured, info: RunInfo) => void;
}
