// The two long runs of `npm run bench` that replace the default one and write their own results
// files, which the goals table of the default run reads back (bench/goals.ts): the large fan-out
// alone (BENCH_ONLY_FANOUT=1) and deliveries left in flight (BENCH_INFLIGHT_DELIVERIES > 0).
import fs from 'node:fs';
import path from 'node:path';
import { fanOutRows } from './fanout';
import { type BenchRun, required } from './phase';
import { FAN_OUT_ONLY_PHASES, IN_FLIGHT_PHASES } from './phases';
import { machineDuringRun, table } from './report';

function writeResults(file: string, results: object): void {
  fs.writeFileSync(path.join(__dirname, file), `${JSON.stringify(results, null, 2)}\n`);
}

export const FAN_OUT_ONLY: BenchRun = {
  phases: FAN_OUT_ONLY_PHASES,
  report: (measured, { params, loadAtStart, say }) => {
    const fan = required(measured, 'fanOut');
    const rss = required(measured, 'peakMemory');
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
    writeResults('fanout-results.json', results);
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
  },
};

export const IN_FLIGHT: BenchRun = {
  phases: IN_FLIGHT_PHASES,
  report: (measured, { loadAtStart, say }) => {
    const result = required(measured, 'inFlight');
    writeResults('inflight-results.json', { timestamp: new Date().toISOString(), ...result, machine: machineDuringRun(loadAtStart) });
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
  },
};
