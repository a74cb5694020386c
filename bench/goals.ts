// The throughput goals of the scale-out issue, each against what the bench measured. The 100,000
// subscriber fan-out and the 10,000-in-flight run take long, so they run on their own
// (BENCH_ONLY_FANOUT / BENCH_ONLY_INFLIGHT); their latest results files are read back here.
import fs from 'node:fs';
import path from 'node:path';
import type { InFlightResult } from './inflight';
import type { IntakeResult } from './intake';
import type { LatencyResult } from './latency';
import type { IsolationResult } from './isolation';
import type { ShapeResult, ShapesResult } from './shapes';
import type { TenantsResult } from './tenants';

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  /** null: not measured (yet). */
  met: boolean | null;
}

export interface MainMeasures {
  deliveriesPerSecond: number;
  actionsPerDelivery: number;
  /** The same if a child workflow start were billed as two Actions. */
  actionsPerDeliveryChildAsTwo: number;
  achievedAt100: number;
  p99MsAt100PerSecond: number;
  isolation?: IsolationResult;
}

interface FanOutFile {
  timestamp: string;
  fanOutSubscribers: number;
  fanOutAllDeliveredMs: number | null;
  fanOutEventHistoryEvents: number;
  fanOutMaxShardHistoryEvents: number;
  fanOutMaxPendingChildren: number;
  fanOut: { completed: boolean; elapsedMs: number; reached: { succeeded: number } };
}

type InFlightFile = InFlightResult & { timestamp: string };

function readJson<T>(file: string): T | undefined {
  const p = path.join(__dirname, file);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as T) : undefined;
}

export function goals(m: MainMeasures): Goal[] {
  const fan = readJson<FanOutFile>('fanout-results.json');
  const inflight = readJson<InFlightFile>('inflight-results.json');
  const day = (ts: string) => ts.slice(0, 10);
  const list: Goal[] = [
    { goal: 'sustained deliveries/s', target: '>= 500', measured: String(m.deliveriesPerSecond), met: m.deliveriesPerSecond >= 500 },
    {
      goal: 'Temporal Actions per delivery (no confirmation)',
      target: '<= 3',
      measured: `${m.actionsPerDelivery} (${m.actionsPerDeliveryChildAsTwo} if a child start were 2)`,
      met: m.actionsPerDelivery <= 3,
    },
    {
      goal: 'p99 accept → first attempt at 100 deliveries/s',
      target: '< 250 ms',
      measured: `${m.p99MsAt100PerSecond} ms (achieved ${m.achievedAt100}/s)`,
      met: m.achievedAt100 >= 90 && m.p99MsAt100PerSecond < 250,
    },
  ];
  if (m.isolation) {
    const i = m.isolation;
    list.push({
      goal: `healthy p99 with a hanging subscriber (${i.healthyDeliveriesPerSecond}/s)`,
      target: '<= 2x without it',
      measured: `${i.withHangingSubscriber.p99} vs ${i.baseline.p99} ms (x${i.p99Ratio})`,
      met: i.p99Ratio <= 2,
    });
  }
  const maxHistory = fan ? Math.max(fan.fanOutEventHistoryEvents, fan.fanOutMaxShardHistoryEvents) : 0;
  list.push(
    fan && fan.fanOutSubscribers >= 100_000
      ? {
          goal: `fan-out to ${fan.fanOutSubscribers} subscribers (${day(fan.timestamp)})`,
          target: 'within Temporal limits',
          measured: fan.fanOut.completed
            ? `all delivered in ${Math.round((fan.fanOutAllDeliveredMs ?? fan.fanOut.elapsedMs) / 1000)} s; max history ${maxHistory}, max pending children ${fan.fanOutMaxPendingChildren}`
            : `${fan.fanOut.reached.succeeded} delivered by the ${Math.round(fan.fanOut.elapsedMs / 1000)} s deadline; max history ${maxHistory}, max pending children ${fan.fanOutMaxPendingChildren}`,
          met: maxHistory < 10_240 && fan.fanOutMaxPendingChildren < 2_000,
        }
      : { goal: 'fan-out to 100,000 subscribers', target: 'within Temporal limits', measured: 'not run (BENCH_ONLY_FANOUT)', met: null },
  );
  list.push(
    inflight
      ? {
          goal: `worker memory at ${inflight.inFlightTarget} in flight (${day(inflight.timestamp)})`,
          target: 'bounded',
          measured: `${inflight.workerPeakRssMb} MB peak; +${inflight.workerRssGrowthSecondHalfPercent} % from half to all; ${inflight.inFlightReached} reached`,
          met: inflight.inFlightReached >= inflight.inFlightTarget ? inflight.workerRssGrowthSecondHalfPercent < 25 : null,
        }
      : { goal: 'worker memory at 10,000 in flight', target: 'bounded', measured: 'not run (BENCH_ONLY_INFLIGHT)', met: null },
  );
  return list;
}

/** Issue 17's fair-use goals: the small tenant's p99 beside the large one's hanging endpoints and backlog. */
export function tenantGoals(r: TenantsResult): Goal[] {
  return [
    {
      goal: `small tenant's delivery beside ${r.besideHanging.hangingRequests} hanging requests of another tenant`,
      target: 'p99 <= 2 s',
      measured: `p99 ${r.besideHanging.p99} ms (alone ${r.alone.p99} ms)`,
      met: r.besideHanging.p99 <= 2000,
    },
    {
      goal: `small tenant's delivery during another's backlog of ${r.duringBacklog.backlogDeliveries}`,
      target: 'p99 <= 5 s',
      measured: `p99 ${r.duringBacklog.p99} ms (backlog drained in ${r.duringBacklog.backlogDrainedSeconds} s)`,
      met: r.duringBacklog.p99 <= 5000,
    },
  ];
}

export const goalRows = (list: Goal[]): [string, string][] =>
  list.map((g) => [`${g.met === null ? '?' : g.met ? 'met' : 'MISSED'}: ${g.goal} (${g.target})`, g.measured]);

/** Issue 12's goals: on the stack `npm run dev` starts, both shapes, their bare-Temporal ratios and the paced latency. */
export function speedGoals(s: ShapesResult): Goal[] {
  const rate = (r: ShapeResult, target: number): Goal => ({
    goal: `deliveries/s, ${r.shape} (bare Temporal ${r.bare.deliveriesPerSecond}/s)`,
    target: `>= ${target}`,
    measured: `${r.product.deliveriesPerSecond}`,
    met: r.product.deliveriesPerSecond >= target,
  });
  const ratio = (r: ShapeResult): Goal => ({
    goal: `ratio to bare Temporal, ${r.shape}`,
    target: '>= 0.8',
    measured: `x${r.ratio}; Temporal cpu ${r.product.cpu.msPerDelivery.temporal} vs ${r.bare.cpu.msPerDelivery.temporal} ms/delivery`,
    met: r.ratio >= 0.8,
  });
  return [
    rate(s.oneSubscriber, 20),
    ratio(s.oneSubscriber),
    rate(s.fanOut, 35),
    ratio(s.fanOut),
    {
      goal: 'p99 accept → first attempt at 10 events/s',
      target: '< 250 ms',
      measured: `${s.paced.latency.p99} ms (achieved ${s.paced.deliveriesPerSecond}/s)`,
      met: s.paced.deliveriesPerSecond >= 9 && s.paced.latency.p99 < 250,
    },
  ];
}

/** Issue 18's goals: intake answered from the ledger commit, post → first attempt, and delivery speed held. */
export function acceptGoals(intake: IntakeResult | undefined, latency: LatencyResult | undefined, shapes: ShapesResult | undefined): Goal[] {
  const list: Goal[] = [];
  if (intake) {
    const s = intake.single;
    list.push(
      { goal: `intake, ${s.events} single posts at ${intake.params.singleConcurrency} in flight`, target: '>= 500 events/s', measured: `${s.eventsPerSecond}/s`, met: s.eventsPerSecond >= 500 },
      { goal: 'intake: post answered p99', target: '<= 50 ms', measured: `p99 ${s.answerMs.p99} ms (p50 ${s.answerMs.p50} ms)`, met: s.answerMs.p99 <= 50 },
      { goal: `a batch of ${intake.params.batchSize} events answered`, target: '<= 1 s', measured: `slowest of ${intake.params.batches}: ${intake.batch.answerMs.max} ms`, met: intake.batch.answerMs.max <= 1000 },
    );
  }
  if (latency) {
    const l = latency.atFive.postToFirstAttemptMs;
    list.push({ goal: 'p99 post → first attempt at 5 events/s', target: '<= 100 ms', measured: `p99 ${l.p99} ms (p50 ${l.p50} ms)`, met: l.p99 <= 100 });
  }
  if (shapes) {
    const floor = (r: ShapeResult, target: number): Goal => ({
      goal: `deliveries/s, ${r.shape}, and ratio to bare Temporal`,
      target: `>= ${target} and >= x1.0`,
      measured: `${r.product.deliveriesPerSecond}/s, x${r.ratio}`,
      met: r.product.deliveriesPerSecond >= target && r.ratio >= 1,
    });
    list.push(floor(shapes.oneSubscriber, 22.5), floor(shapes.fanOut, 62));
  }
  return list;
}
