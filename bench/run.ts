// `npm run bench`: the whole product (Temporal dev server, worker and gateway as separate
// processes) under load on 127.0.0.1, measured from the outside. The run is a table of phases
// (bench/phases.ts: name, what it measures, run function) that this file walks in order on one
// stack, then hands what they measured to the run's report: stdout and bench/results.json.
// Settings: bench/params.ts (BENCH_* env). With BENCH_FANOUT_SUBSCRIBERS > 0 the large fan-out
// phase runs too; BENCH_ONLY_FANOUT=1 and BENCH_INFLIGHT_DELIVERIES > 0 replace the table with a
// long run of their own (bench/long-runs.ts) that writes its own results file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FAN_OUT_ONLY, IN_FLIGHT } from './long-runs';
import { MAIN } from './main-report';
import { params } from './params';
import { type BenchContext, type BenchRun, type Measured, runPhase } from './phase';
import { installCleanup, killAllNow } from './procs';
import { BenchReceiver } from './receiver';
import { round } from './report';
import { type Stack, startStack, stopStack } from './stack';

const started = performance.now();
const say = (m: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${m}`);

/** The run these settings ask for. */
const chosenRun = (): BenchRun => (params.inFlightDeliveries > 0 ? IN_FLIGHT : params.onlyFanOut ? FAN_OUT_ONLY : MAIN);

/** The children's own words are usually the quickest explanation of a failed run. */
function printLastOutput(stack: Stack): void {
  for (const p of [stack.worker, stack.gateway, stack.temporal]) {
    const out = p.output().trim();
    if (out) console.error(`--- last output of ${p.name} ---\n${out.slice(-4000)}`);
  }
}

/**
 * Walks the run's phases in order on one stack, skipping those its settings turn off; the stack
 * is stopped before the first phase that wants it stopped, or after the last.
 */
async function walkPhases(run: BenchRun, ctx: BenchContext): Promise<void> {
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    say('stopping gateway, worker and Temporal');
    await stopStack(ctx.stack, say);
  };
  try {
    for (const phase of run.phases) {
      if (phase.enabled && !phase.enabled(params)) continue;
      if (phase.stack === 'stopped') await stop();
      else if (!running) throw new Error(`bench: phase ${phase.name} needs the stack, which an earlier phase had stopped`);
      await runPhase(phase, ctx);
    }
    await stop();
  } catch (err) {
    if (running) printLastOutput(ctx.stack);
    throw err;
  } finally {
    if (running) await stopStack(ctx.stack, say);
  }
}

async function runBench(dir: string): Promise<void> {
  say(`params ${JSON.stringify(params)}`);
  // Other work on the machine skews everything here; the load average at start says how much.
  const loadAtStart = round(os.loadavg()[0] ?? 0, 2);
  const run = chosenRun();
  const receiver = await new BenchReceiver().start();
  try {
    const { concurrency, temporalDb, sqlitePragmas, temporalDynamicConfig } = params;
    const stack = await startStack(dir, { concurrency, temporalDb, sqlitePragmas, temporalDynamicConfig, say });
    const measured: Measured = {};
    await walkPhases(run, { stack, receiver, params, say, measured });
    run.report(measured, { params, loadAtStart, say });
  } finally {
    await receiver.stop();
  }
}

async function main(): Promise<void> {
  installCleanup();
  // Hard bound on the whole run, whatever hangs.
  setTimeout(() => {
    console.error(`[bench] gave up after ${params.maxSeconds} s`);
    killAllNow();
    process.exit(1);
  }, params.maxSeconds * 1000).unref();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-bench-'));
  // On 'exit' (after the children are killed) so a SIGINT also removes the ledger and Temporal files.
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  await runBench(dir);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killAllNow();
    process.exit(1);
  },
);
