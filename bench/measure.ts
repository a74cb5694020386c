import { cpuSeconds, type Proc } from './procs';
import type { BenchReceiver } from './receiver';
import { percentile, round } from './report';
import type { Stack } from './stack';
import { scrapeTotals, temporalPhaseCost } from './temporal-metrics';

export interface PhaseResult {
  deliveries: number;
  deliveriesPerSecond: number;
  eventsAcceptedPerSecond: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  cpu: CpuUse;
  temporal: ReturnType<typeof temporalPhaseCost>;
}

/** Latency accept → first attempt for every (event, subscriber), and the phase's sustained rate. */
export function summarize(
  ids: string[],
  paths: string[],
  acceptedAt: Map<string, number>,
  receiver: BenchReceiver,
  usage: Pick<PhaseResult, 'cpu' | 'temporal'>,
): PhaseResult {
  const latencies: number[] = [];
  let firstAccept = Infinity;
  let lastAccept = 0;
  let lastArrival = 0;
  for (const id of ids) {
    const accepted = acceptedAt.get(id)!;
    firstAccept = Math.min(firstAccept, accepted);
    lastAccept = Math.max(lastAccept, accepted);
    for (const p of paths) {
      const arrived = receiver.firstArrival.get(`${id} ${p}`)!;
      lastArrival = Math.max(lastArrival, arrived);
      latencies.push(arrived - accepted);
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    deliveries: latencies.length,
    deliveriesPerSecond: round(latencies.length / ((lastArrival - firstAccept) / 1000)),
    eventsAcceptedPerSecond: round(ids.length / Math.max(0.001, (lastAccept - firstAccept) / 1000)),
    latency: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? Number.NaN),
    },
    ...usage,
  };
}

interface CpuUse {
  /** Cores busy on average while the phase ran (CPU seconds / wall seconds). */
  cores: Record<string, number>;
  /** CPU milliseconds each process spent per delivery of the phase. */
  msPerDelivery: Record<string, number>;
}

/** Starts measuring CPU of each process (and of this one); call the result when the window ends. */
function cpuWindow(procs: Record<string, Proc>): (deliveries: number) => CpuUse {
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const before = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuSeconds(p.pid) ?? 0]));
  return (deliveries) => {
    const wall = (performance.now() - t0) / 1000;
    const own = process.cpuUsage(own0);
    const used: Record<string, number> = {
      ...Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, (cpuSeconds(p.pid) ?? 0) - before[k]!])),
      bench: (own.user + own.system) / 1e6,
    };
    const map = (f: (s: number) => number) => Object.fromEntries(Object.entries(used).map(([k, s]) => [k, f(s)]));
    return { cores: map((s) => round(s / wall, 2)), msPerDelivery: map((s) => round((s * 1000) / deliveries, 2)) };
  };
}

/** CPU of each process and Temporal's own counters over one phase. */
export async function phaseWindow(stack: Stack): Promise<(deliveries: number) => Promise<Pick<PhaseResult, 'cpu' | 'temporal'>>> {
  const cpu = cpuWindow({ worker: stack.worker, gateway: stack.gateway, temporal: stack.temporal });
  const t0 = performance.now();
  const before = await scrapeTotals(stack.metricsUrl);
  return async (deliveries) => {
    const after = await scrapeTotals(stack.metricsUrl);
    return { cpu: cpu(deliveries), temporal: temporalPhaseCost(before, after, deliveries, (performance.now() - t0) / 1000) };
  };
}
