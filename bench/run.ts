// `npm run bench`: the whole product (Temporal dev server, worker and gateway as separate
// processes) under load on 127.0.0.1, measured from the outside: throughput and latency, history
// and Actions per delivery, peak memory, and the machine's own HTTP ceiling for comparison.
// Results go to stdout and bench/results.json. Parameters: see `params` below (BENCH_* env).
// With BENCH_FANOUT_SUBSCRIBERS > 0 a large fan-out phase runs too (bench/fanout.ts); with
// BENCH_ONLY_FANOUT=1 only that phase runs and its results go to bench/fanout-results.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type SQLite from 'better-sqlite3';
import { countEnv, intEnv, sqlitePragmasEnv, temporalDbEnv } from './env';
import { fanOutPhase, fanOutRows, type FanOutResult } from './fanout';
import { acceptGoals, goalRows, goals, speedGoals, tenantGoals } from './goals';
import { latencyPhase, latencyRows, type LatencyResult } from './latency';
import { shapesDefaults, shapesPhase, shapesRows, type ShapesResult } from './shapes';
import { tenantsDefaults, tenantsPhase, tenantsRows, type TenantsResult } from './tenants';
import { historyCost, totalActions } from './history';
import { inFlightPhase } from './inflight';
import { fifoPhase, fifoRows, type FifoResult } from './fifo';
import { intakeBudgetSeconds, intakePhase, intakeRows } from './intake';
import { isolationPhase, type IsolationResult } from './isolation';
import { temporalCeiling, type TemporalCeilingResult } from './temporal-ceiling';
import { ceilingPerSecond, publishAll, publishPaced } from './load';
import { GiveUp, installCleanup, killAllNow, peakRssMb, waitUntil } from './procs';
import { phaseWindow, summarize } from './measure';
import { BenchReceiver } from './receiver';
import { machineDuringRun, pad, round, table } from './report';
import { deathCheck, type Stack, startStack, stopStack } from './stack';


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

const params = {
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
  /**
   * The whole run, after which everything is killed and the run fails. The fan-out phase adds its
   * deadline plus time for setup and for reading its histories.
   */
  maxSeconds: intEnv(
    'BENCH_MAX_SECONDS',
    inFlightDeliveries > 0
      ? inFlightTimeoutSeconds + 300
      : (onlyFanOut ? 180 : 600 + intakeBudgetSeconds + 300 + 900 + 300) + (fanOutSubscribers > 0 ? fanOutTimeoutSeconds + 180 + Math.ceil(fanOutSubscribers / 500) : 0),
  ),
};

const started = performance.now();
const say = (m: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${m}`);


/** Delivery statuses of one phase's events, read straight from the ledger. */
function ledgerCounts(ledger: SQLite.Database, phase: string): Record<string, number> {
  const rows = ledger
    .prepare('SELECT status, count(*) AS n FROM deliveries WHERE event_id LIKE ? GROUP BY status')
    .all(`${phase}-%`) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function awaitDeliveries(stack: Stack, receiver: BenchReceiver, phase: string, expected: number): Promise<void> {
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

async function run(dir: string): Promise<void> {
  say(`params ${JSON.stringify(params)}`);
  // Other work on the machine skews everything here; the load average at start says how much.
  const loadAtStart = round(os.loadavg()[0] ?? 0, 2);
  const receiver = await new BenchReceiver().start();
  let stack: Stack | undefined;
  try {
    stack = await startStack(dir, {
      concurrency: params.concurrency,
      temporalDb: params.temporalDb,
      sqlitePragmas: params.sqlitePragmas,
      temporalDynamicConfig: params.temporalDynamicConfig,
      say,
    });
    const { api } = stack;
    const fanOutOptions = { subscribers: params.fanOutSubscribers, timeoutSeconds: params.fanOutTimeoutSeconds, say };

    if (params.inFlightDeliveries > 0) {
      const result = await inFlightPhase(stack, receiver, { deliveries: params.inFlightDeliveries, timeoutSeconds: params.inFlightTimeoutSeconds, say });
      say('stopping gateway, worker and Temporal');
      await stopStack(stack, say);
      stack = undefined;
      const results = {
        timestamp: new Date().toISOString(),
        ...result,
        machine: machineDuringRun(loadAtStart),
      };
      fs.writeFileSync(path.join(__dirname, 'inflight-results.json'), `${JSON.stringify(results, null, 2)}\n`);
      console.log(
        table([
          ['in flight (awaiting confirmation)', `${result.inFlightReached} of ${result.inFlightTarget}${result.timedOut ? ' (deadline)' : ''}`],
          ['seconds to get there', result.elapsedSeconds],
          ...Object.entries(result.workerRssMbAt).map(([n, mb]) => [`worker RSS MB at ${n} in flight`, mb] as [string, number | undefined]),
          ['worker peak RSS MB', result.workerPeakRssMb],
          ['worker RSS growth, half → all in flight', `${result.workerRssGrowthSecondHalfPercent} %`],
          ['worker workflow cache', result.workerMaxCachedWorkflows],
        ]),
      );
      say('wrote bench/inflight-results.json');
      return;
    }

    if (params.onlyFanOut) {
      const fan = await fanOutPhase(stack, receiver, fanOutOptions);
      const rss = { worker: peakRssMb(stack.worker.pid), gateway: peakRssMb(stack.gateway.pid), temporal: peakRssMb(stack.temporal.pid) };
      say('stopping gateway, worker and Temporal');
      await stopStack(stack, say);
      stack = undefined;
      const results = {
        timestamp: new Date().toISOString(),
        params: {
          fanOutSubscribers: params.fanOutSubscribers,
          fanOutTimeoutSeconds: params.fanOutTimeoutSeconds,
          concurrency: params.concurrency,
          temporalDb: params.temporalDb,
          temporalDynamicConfig: params.temporalDynamicConfig,
        },
        ...fan,
        workerPeakRssMb: rss.worker,
        gatewayPeakRssMb: rss.gateway,
        temporalPeakRssMb: rss.temporal,
        machine: machineDuringRun(loadAtStart),
      };
      fs.writeFileSync(path.join(__dirname, 'fanout-results.json'), `${JSON.stringify(results, null, 2)}\n`);
      console.log(
        table([
          ...fanOutRows(fan),
          ['workerPeakRssMb', rss.worker],
          ['gatewayPeakRssMb', rss.gateway],
          ['temporalPeakRssMb', rss.temporal],
          ['machine', `${results.machine.cores} cores, ${results.machine.memGb} GB, load ${loadAtStart}`],
        ]),
      );
      say('wrote bench/fanout-results.json');
      return;
    }

    // The speed goals first, on the freshest server: their figures are the headline.
    let shapes: ShapesResult | undefined;
    if (params.shapes) shapes = await shapesPhase(stack, receiver, shapesDefaults(say));
    // Post → first attempt at 5 events/s and at half the one-subscriber ceiling the shapes measured.
    let latency: LatencyResult | undefined;
    if (params.latency) latency = await latencyPhase(stack, receiver, say, shapes?.oneSubscriber.product.deliveriesPerSecond);

    // Subscribers: one path each on the receiver, all matching the benchmark's event type.
    const paths = Array.from({ length: params.subscribers }, (_, i) => `/sub-${i + 1}`);
    const subscriptionIds: string[] = [];
    for (const p of paths) {
      const res = await api.call('POST', '/v1/subscriptions', { tenantId: 'default', url: receiver.url(p), eventTypes: ['bench.*'] });
      if (res.status !== 201) throw new Error(`POST /v1/subscriptions: ${res.status} ${JSON.stringify(res.json)}`);
      subscriptionIds.push((res.json as { id: string }).id);
    }
    const acceptedAt = new Map<string, number>();
    const M = params.subscribers;

    say(`warm-up: ${params.warmupEvents} events`);
    const warm = Array.from({ length: params.warmupEvents }, (_, i) => `w-${pad(i)}`);
    await publishAll(api, warm, params.concurrency, acceptedAt);
    await awaitDeliveries(stack, receiver, 'w', warm.length * M);

    // Phase A: as fast as the stack goes, `concurrency` posts in flight.
    say(`phase A: ${params.events} events x ${M} subscribers, ${params.concurrency} in flight`);
    const idsA = Array.from({ length: params.events }, (_, i) => `a-${pad(i)}`);
    let usage = await phaseWindow(stack);
    await publishAll(api, idsA, params.concurrency, acceptedAt);
    await awaitDeliveries(stack, receiver, 'a', idsA.length * M);
    const phaseA = summarize(idsA, paths, acceptedAt, receiver, await usage(idsA.length * M));
    say(`phase A: ${phaseA.deliveriesPerSecond} deliveries/s, p50 ${phaseA.latency.p50} ms, p99 ${phaseA.latency.p99} ms`);

    // Phase B: open loop paced so deliveries arrive at ~fixedRate/s (events/s = rate / subscribers).
    const intervalMs = (1000 * M) / params.fixedRate;
    const countB = Math.max(1, Math.round((params.fixedRateSeconds * 1000) / intervalMs));
    say(`phase B: ${countB} events every ${round(intervalMs)} ms (~${params.fixedRate} deliveries/s)`);
    const idsB = Array.from({ length: countB }, (_, i) => `b-${pad(i)}`);
    usage = await phaseWindow(stack);
    await publishPaced(api, idsB, intervalMs, params.concurrency * 4, acceptedAt);
    await awaitDeliveries(stack, receiver, 'b', idsB.length * M);
    const phaseB = summarize(idsB, paths, acceptedAt, receiver, await usage(idsB.length * M));
    say(`phase B: ${phaseB.deliveriesPerSecond} deliveries/s, p50 ${phaseB.latency.p50} ms, p99 ${phaseB.latency.p99} ms`);

    // History cost: an evenly spread sample of phase A's events, all their workflows.
    const step = Math.max(1, Math.floor(idsA.length / params.historySample));
    const sample = idsA.filter((_, i) => i % step === 0).slice(0, params.historySample);
    say(`history: ${sample.length} events, ${sample.length * (M + 1)} workflows`);
    const cost = await historyCost(stack.client, sample, subscriptionIds, 60_000);

    // Peak memory before anything is stopped; then free the machine for the ceiling run.
    const rss = {
      worker: peakRssMb(stack.worker.pid),
      gateway: peakRssMb(stack.gateway.pid),
      temporal: peakRssMb(stack.temporal.pid),
    };
    const repeats = receiver.repeats;

    // Isolation: after the peak memory and history sample, so its hanging requests skew neither.
    let isolation: IsolationResult | undefined;
    if (params.isolationSeconds > 0) {
      isolation = await isolationPhase(stack, receiver, {
        healthyPaths: paths,
        rate: params.isolationRate,
        seconds: params.isolationSeconds,
        maxInFlight: params.concurrency * 4,
        timeoutSeconds: params.phaseTimeoutSeconds,
        say,
      });
    }

    // Fair use: after isolation, on the same stack; its tenants' event types match no other subscription.
    let tenants: TenantsResult | undefined;
    if (params.tenants) tenants = await tenantsPhase(stack, receiver, tenantsDefaults(say));

    // What the Temporal server alone allows here: after everything it would otherwise slow down.
    let ceilingTemporal: TemporalCeilingResult | undefined;
    if (params.temporalCeilingWorkflows > 0) {
      say(`temporal ceiling: ${params.temporalCeilingWorkflows} workflows with one no-op activity, ${params.concurrency * 2} at once`);
      ceilingTemporal = await temporalCeiling(stack, params.temporalCeilingWorkflows, params.concurrency * 2);
      say(`temporal ceiling: ${ceilingTemporal.workflowsPerSecond} workflows/s`);
    }

    // Large fan-out: after everything above has been measured, so it skews none of it.
    let fan: FanOutResult | undefined;
    if (params.fanOutSubscribers > 0) fan = await fanOutPhase(stack, receiver, fanOutOptions);
    const intake = await intakePhase(stack, say);
    let fifo: FifoResult | undefined;
    if (params.fifoEvents > 0) fifo = await fifoPhase(stack, receiver, params.fifoEvents, 300, say);
    say('stopping gateway, worker and Temporal');
    await stopStack(stack, say);
    stack = undefined;

    say(`ceiling: ${params.ceilingRequests} plain POSTs, ${params.concurrency} in flight`);
    const ceiling = round(await ceilingPerSecond(receiver.url('/ceiling'), params.ceilingRequests, params.concurrency));

    const actions = totalActions(cost.actions);
    const actionsPerDelivery = round(actions / cost.deliveries, 2);
    const actionsPerDeliveryChildAsTwo = round((actions + cost.actions.childWorkflows) / cost.deliveries, 2);
    const goalList = goals({
      deliveriesPerSecond: phaseA.deliveriesPerSecond,
      actionsPerDelivery,
      actionsPerDeliveryChildAsTwo,
      achievedAt100: phaseB.deliveriesPerSecond,
      p99MsAt100PerSecond: phaseB.latency.p99,
      isolation,
    });
    const results = {
      timestamp: new Date().toISOString(),
      params: {
        events: params.events,
        subscribers: M,
        concurrency: params.concurrency,
        fixedRateDeliveriesPerSecond: params.fixedRate,
        fixedRateSeconds: params.fixedRateSeconds,
        fixedRateEvents: countB,
        warmupEvents: params.warmupEvents,
        historySampleEvents: sample.length,
        ceilingRequests: params.ceilingRequests,
        temporalDb: params.temporalDb,
      },
      deliveriesPerSecond: phaseA.deliveriesPerSecond,
      eventsAcceptedPerSecond: phaseA.eventsAcceptedPerSecond,
      p50Ms: phaseA.latency.p50,
      p95Ms: phaseA.latency.p95,
      p99Ms: phaseA.latency.p99,
      maxMs: phaseA.latency.max,
      achievedDeliveriesPerSecondAt100: phaseB.deliveriesPerSecond,
      p50MsAt100PerSecond: phaseB.latency.p50,
      p95MsAt100PerSecond: phaseB.latency.p95,
      p99MsAt100PerSecond: phaseB.latency.p99,
      maxMsAt100PerSecond: phaseB.latency.max,
      /** True when the stack could not keep up with phase B's rate: its latencies then include queueing. */
      saturatedAt100: phaseB.deliveriesPerSecond < 0.9 * params.fixedRate,
      historyEventsPerDelivery: round(cost.historyEvents / cost.deliveries, 2),
      actionsPerDelivery,
      /** The same if a child workflow start were billed as two Actions, as older pricing pages had it. */
      actionsPerDeliveryChildAsTwo,
      history: {
        workflows: cost.workflows,
        deliveries: cost.deliveries,
        events: cost.historyEvents,
        eventsPerEventWorkflow: round(cost.eventsByWorkflow.event / sample.length, 1),
        eventsPerDeliveryWorkflow: round(cost.eventsByWorkflow.delivery / cost.deliveries, 1),
        workflowTasksPerDelivery: round(cost.workflowTasks / cost.deliveries, 2),
        actions,
        actionsByKind: cost.actions,
      },
      workerPeakRssMb: rss.worker,
      gatewayPeakRssMb: rss.gateway,
      temporalPeakRssMb: rss.temporal,
      ceilingDeliveriesPerSecond: ceiling,
      /** Minimal workflows (one no-op activity) per second on the same dev server: the bound for any workflow-per-delivery design here. */
      temporalCeiling: ceilingTemporal,
      /** Requests beyond the first attempt per (event, subscriber): 0 means exactly-once arrival. */
      repeatedDeliveries: repeats,
      isolation,
      /** Posts answered from the ledger commit: single posts' rate and answer times, 1,000-event batches (bench/intake.ts). */
      intake,
      /** Post → first attempt at 5 events/s and at half the ceiling (bench/latency.ts). */
      latency,
      acceptGoals: acceptGoals(intake, latency, shapes),
      /** A FIFO subscription beside an unordered one: deliveries/s and the queue's Actions (bench/fifo.ts). */
      fifo,
      goals: goalList,
      /** Two shapes of traffic against bare Temporal workflows of the same shape (bench/shapes.ts). */
      shapes,
      speedGoals: shapes ? speedGoals(shapes) : undefined,
      /** A small tenant beside a large one's hanging endpoints and backlog (bench/tenants.ts). */
      tenants,
      tenantGoals: tenants ? tenantGoals(tenants) : undefined,
      cpu: { phaseA: phaseA.cpu, phaseB: phaseB.cpu },
      /** From Temporal's /metrics: persistence (SQLite) operations and history-service calls. */
      temporalServer: { phaseA: phaseA.temporal, phaseB: phaseB.temporal },
      ...fan,
      machine: machineDuringRun(loadAtStart),
    };
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

    const c = (r: Record<string, number>) => `${r.worker} / ${r.gateway} / ${r.temporal} / ${r.bench}`;
    console.log(
      table([
        ['events x subscribers (phase A)', `${params.events} x ${M}`],
        ['concurrency', params.concurrency],
        ['deliveriesPerSecond', results.deliveriesPerSecond],
        ['events accepted / s', results.eventsAcceptedPerSecond],
        ['p50 / p95 / p99 ms', `${results.p50Ms} / ${results.p95Ms} / ${results.p99Ms}`],
        [`at ~${params.fixedRate}/s: achieved / s`, `${results.achievedDeliveriesPerSecondAt100}${results.saturatedAt100 ? ' (saturated)' : ''}`],
        [`at ~${params.fixedRate}/s: p50 / p95 / p99 ms`, `${results.p50MsAt100PerSecond} / ${results.p95MsAt100PerSecond} / ${results.p99MsAt100PerSecond}`],
        ['historyEventsPerDelivery', results.historyEventsPerDelivery],
        ['workflow tasks / delivery', results.history.workflowTasksPerDelivery],
        ['actionsPerDelivery', results.actionsPerDelivery],
        ['workerPeakRssMb', results.workerPeakRssMb],
        ['gatewayPeakRssMb', results.gatewayPeakRssMb],
        ['temporalPeakRssMb', results.temporalPeakRssMb],
        ['ceilingDeliveriesPerSecond', results.ceilingDeliveriesPerSecond],
        ...(ceilingTemporal
          ? ([
              ['Temporal ceiling: 1-activity workflows / s', ceilingTemporal.workflowsPerSecond],
              ['  its cpu ms/workflow (temporal / bench)', `${ceilingTemporal.cpu.msPerDelivery.temporal} / ${ceilingTemporal.cpu.msPerDelivery.bench}`],
            ] as [string, string | number | undefined][])
          : []),
        ['repeated deliveries', repeats],
        ...(isolation
          ? ([
              [`isolation at ${isolation.healthyDeliveriesPerSecond}/s: healthy p50 / p99 ms`, `${isolation.baseline.p50} / ${isolation.baseline.p99}`],
              ['  with a hanging subscriber', `${isolation.withHangingSubscriber.p50} / ${isolation.withHangingSubscriber.p99} (x${isolation.p99Ratio})`],
            ] as [string, string][])
          : []),
        ['A: cpu cores (w/g/t/bench)', c(phaseA.cpu.cores)],
        ['A: cpu ms/delivery', c(phaseA.cpu.msPerDelivery)],
        ['B: cpu cores', c(phaseB.cpu.cores)],
        ['A: temporal persistence ops / delivery', phaseA.temporal.persistenceOpsPerDelivery],
        ['A: temporal persistence ms/op, in flight', `${phaseA.temporal.persistenceMsPerOp}, ${phaseA.temporal.persistenceConcurrency}`],
        ['A: temporal history ms/call', phaseA.temporal.historyMsPerCall],
        ...(fan ? fanOutRows(fan) : []),
        ...intakeRows(intake),
        ...latencyRows(latency),
        ...fifoRows(fifo),
        ...(shapes ? shapesRows(shapes) : []),
        ...(tenants ? tenantsRows(tenants) : []),
        ['machine', `${results.machine.cores} cores, ${results.machine.memGb} GB, load ${loadAtStart}`],
      ]),
    );
    console.log(table(goalRows([...acceptGoals(intake, latency, shapes), ...(shapes ? speedGoals(shapes) : []), ...(tenants ? tenantGoals(tenants) : []), ...goalList])));
    say('wrote bench/results.json');
  } catch (err) {
    // The children's own words are usually the quickest explanation of a failed run.
    for (const p of stack ? [stack.worker, stack.gateway, stack.temporal] : []) {
      const out = p.output().trim();
      if (out) console.error(`--- last output of ${p.name} ---\n${out.slice(-4000)}`);
    }
    throw err;
  } finally {
    if (stack) await stopStack(stack, say);
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
  await run(dir);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killAllNow();
    process.exit(1);
  },
);
