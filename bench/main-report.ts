// The default run's report: bench/results.json from what the phases measured, the results table
// and the goals table on stdout. The keys of bench/results.json stay as they were before the
// phases table, so older results files compare with newer ones.
import fs from 'node:fs';
import path from 'node:path';
import { fanOutRows } from './fanout';
import { fifoRows } from './fifo';
import { acceptGoals, goalRows, goals, speedGoals, tenantGoals } from './goals';
import { type HistoryCost, totalActions } from './history';
import { intakeRows } from './intake';
import { latencyRows } from './latency';
import type { PhaseResult } from './measure';
import { type BenchRun, type Measured, required, type RunInfo } from './phase';
import { MAIN_PHASES } from './phases';
import { machineDuringRun, round, table } from './report';
import { shapesRows } from './shapes';
import { tenantsRows } from './tenants';

type Row = [string, string | number | undefined];

/** Phase A's rate and latency, and phase B's at its fixed rate (the keys say 100/s, the default). */
function speedFigures(a: PhaseResult, b: PhaseResult, fixedRate: number) {
  return {
    deliveriesPerSecond: a.deliveriesPerSecond,
    eventsAcceptedPerSecond: a.eventsAcceptedPerSecond,
    p50Ms: a.latency.p50,
    p95Ms: a.latency.p95,
    p99Ms: a.latency.p99,
    maxMs: a.latency.max,
    achievedDeliveriesPerSecondAt100: b.deliveriesPerSecond,
    p50MsAt100PerSecond: b.latency.p50,
    p95MsAt100PerSecond: b.latency.p95,
    p99MsAt100PerSecond: b.latency.p99,
    maxMsAt100PerSecond: b.latency.max,
    /** True when the stack could not keep up with phase B's rate: its latencies then include queueing. */
    saturatedAt100: b.deliveriesPerSecond < 0.9 * fixedRate,
  };
}

/** History events and Actions per delivery of the sampled events. */
function historyFigures(cost: HistoryCost, sampleEvents: number) {
  const actions = totalActions(cost.actions);
  return {
    historyEventsPerDelivery: round(cost.historyEvents / cost.deliveries, 2),
    actionsPerDelivery: round(actions / cost.deliveries, 2),
    /** The same if a child workflow start were billed as two Actions, as older pricing pages had it. */
    actionsPerDeliveryChildAsTwo: round((actions + cost.actions.childWorkflows) / cost.deliveries, 2),
    history: {
      workflows: cost.workflows,
      deliveries: cost.deliveries,
      events: cost.historyEvents,
      eventsPerEventWorkflow: round(cost.eventsByWorkflow.event / sampleEvents, 1),
      eventsPerDeliveryWorkflow: round(cost.eventsByWorkflow.delivery / cost.deliveries, 1),
      workflowTasksPerDelivery: round(cost.workflowTasks / cost.deliveries, 2),
      actions,
      actionsByKind: cost.actions,
    },
  };
}

/** The run's settings as bench/results.json records them. */
function runParams(measured: Measured, { params }: RunInfo) {
  return {
    events: params.events,
    subscribers: required(measured, 'warmUp').paths.length,
    concurrency: params.concurrency,
    fixedRateDeliveriesPerSecond: params.fixedRate,
    fixedRateSeconds: params.fixedRateSeconds,
    fixedRateEvents: required(measured, 'phaseB').events,
    warmupEvents: params.warmupEvents,
    historySampleEvents: required(measured, 'history').sampleEvents,
    ceilingRequests: params.ceilingRequests,
    temporalDb: params.temporalDb,
  };
}

/** Everything measured, in bench/results.json's shape. */
function results(measured: Measured, info: RunInfo) {
  const [a, b, rss] = [required(measured, 'phaseA'), required(measured, 'phaseB'), required(measured, 'peakMemory')];
  const { intake, latency, shapes, tenants, isolation } = measured;
  const history = historyFigures(required(measured, 'history').cost, required(measured, 'history').sampleEvents);
  return {
    timestamp: new Date().toISOString(),
    params: runParams(measured, info),
    ...speedFigures(a, b, info.params.fixedRate),
    ...history,
    workerPeakRssMb: rss.worker,
    gatewayPeakRssMb: rss.gateway,
    temporalPeakRssMb: rss.temporal,
    ceilingDeliveriesPerSecond: required(measured, 'httpCeiling'),
    /** Minimal workflows (one no-op activity) per second on the same dev server: the bound for any workflow-per-delivery design here. */
    temporalCeiling: measured.temporalCeiling,
    /** Requests beyond the first attempt per (event, subscriber): 0 means exactly-once arrival. */
    repeatedDeliveries: rss.repeatedDeliveries,
    isolation,
    /** Posts answered from the ledger commit: single posts' rate and answer times, 1,000-event batches (bench/intake.ts). */
    intake,
    /** Post → first attempt at 5 events/s and at half the ceiling (bench/latency.ts). */
    latency,
    acceptGoals: acceptGoals(intake, latency, shapes),
    /** A FIFO subscription beside an unordered one: deliveries/s and the queue's Actions (bench/fifo.ts). */
    fifo: measured.fifo,
    goals: goals({
      deliveriesPerSecond: a.deliveriesPerSecond,
      actionsPerDelivery: history.actionsPerDelivery,
      actionsPerDeliveryChildAsTwo: history.actionsPerDeliveryChildAsTwo,
      achievedAt100: b.deliveriesPerSecond,
      p99MsAt100PerSecond: b.latency.p99,
      isolation,
    }),
    /** Two shapes of traffic against bare Temporal workflows of the same shape (bench/shapes.ts). */
    shapes,
    speedGoals: shapes ? speedGoals(shapes) : undefined,
    /** A small tenant beside a large one's hanging endpoints and backlog (bench/tenants.ts). */
    tenants,
    tenantGoals: tenants ? tenantGoals(tenants) : undefined,
    cpu: { phaseA: a.cpu, phaseB: b.cpu },
    /** From Temporal's /metrics: persistence (SQLite) operations and history-service calls. */
    temporalServer: { phaseA: a.temporal, phaseB: b.temporal },
    ...measured.fanOut,
    machine: machineDuringRun(info.loadAtStart),
  };
}

type Results = ReturnType<typeof results>;

/** The main load's rows: phases A and B, history, memory and the two ceilings. */
function loadRows(r: Results, { params }: RunInfo, ceilingTemporal: Measured['temporalCeiling']): Row[] {
  return [
    ['events x subscribers (phase A)', `${params.events} x ${r.params.subscribers}`],
    ['concurrency', params.concurrency],
    ['deliveriesPerSecond', r.deliveriesPerSecond],
    ['events accepted / s', r.eventsAcceptedPerSecond],
    ['p50 / p95 / p99 ms', `${r.p50Ms} / ${r.p95Ms} / ${r.p99Ms}`],
    [`at ~${params.fixedRate}/s: achieved / s`, `${r.achievedDeliveriesPerSecondAt100}${r.saturatedAt100 ? ' (saturated)' : ''}`],
    [`at ~${params.fixedRate}/s: p50 / p95 / p99 ms`, `${r.p50MsAt100PerSecond} / ${r.p95MsAt100PerSecond} / ${r.p99MsAt100PerSecond}`],
    ['historyEventsPerDelivery', r.historyEventsPerDelivery],
    ['workflow tasks / delivery', r.history.workflowTasksPerDelivery],
    ['actionsPerDelivery', r.actionsPerDelivery],
    ['workerPeakRssMb', r.workerPeakRssMb],
    ['gatewayPeakRssMb', r.gatewayPeakRssMb],
    ['temporalPeakRssMb', r.temporalPeakRssMb],
    ['ceilingDeliveriesPerSecond', r.ceilingDeliveriesPerSecond],
    ...(ceilingTemporal
      ? ([
          ['Temporal ceiling: 1-activity workflows / s', ceilingTemporal.workflowsPerSecond],
          ['  its cpu ms/workflow (temporal / bench)', `${ceilingTemporal.cpu.msPerDelivery.temporal} / ${ceilingTemporal.cpu.msPerDelivery.bench}`],
        ] as Row[])
      : []),
    ['repeated deliveries', r.repeatedDeliveries],
  ];
}

/** Isolation, phase A's costs and every other phase's rows, then the machine. */
function phaseRows(r: Results, measured: Measured, { loadAtStart }: RunInfo): Row[] {
  const [a, b, isolation] = [required(measured, 'phaseA'), required(measured, 'phaseB'), measured.isolation];
  const c = (x: Record<string, number>) => `${x.worker} / ${x.gateway} / ${x.temporal} / ${x.bench}`;
  return [
    ...(isolation
      ? ([
          [`isolation at ${isolation.healthyDeliveriesPerSecond}/s: healthy p50 / p99 ms`, `${isolation.baseline.p50} / ${isolation.baseline.p99}`],
          ['  with a hanging subscriber', `${isolation.withHangingSubscriber.p50} / ${isolation.withHangingSubscriber.p99} (x${isolation.p99Ratio})`],
        ] as Row[])
      : []),
    ['A: cpu cores (w/g/t/bench)', c(a.cpu.cores)],
    ['A: cpu ms/delivery', c(a.cpu.msPerDelivery)],
    ['B: cpu cores', c(b.cpu.cores)],
    ['A: temporal persistence ops / delivery', a.temporal.persistenceOpsPerDelivery],
    ['A: temporal persistence ms/op, in flight', `${a.temporal.persistenceMsPerOp}, ${a.temporal.persistenceConcurrency}`],
    ['A: temporal history ms/call', a.temporal.historyMsPerCall],
    ...(measured.fanOut ? fanOutRows(measured.fanOut) : []),
    ...intakeRows(measured.intake),
    ...latencyRows(measured.latency),
    ...fifoRows(measured.fifo),
    ...(measured.shapes ? shapesRows(measured.shapes) : []),
    ...(measured.tenants ? tenantsRows(measured.tenants) : []),
    ['machine', `${r.machine.cores} cores, ${r.machine.memGb} GB, load ${loadAtStart}`],
  ];
}

export const MAIN: BenchRun = {
  phases: MAIN_PHASES,
  report: (measured, info) => {
    const r = results(measured, info);
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
    console.log(table([...loadRows(r, info, measured.temporalCeiling), ...phaseRows(r, measured, info)]));
    console.log(table(goalRows([...r.acceptGoals, ...(r.speedGoals ?? []), ...(r.tenantGoals ?? []), ...r.goals])));
    info.say('wrote bench/results.json');
  },
};
