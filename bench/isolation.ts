// Isolation phase of `npm run bench`: the same paced load twice, once to healthy subscribers only
// and once with one more subscriber whose endpoint never answers (every attempt runs into the
// subscription's timeout). The goal: the healthy subscribers' p99 stays within 2x of the run
// without the hanging one.
import { publishPaced } from './load';
import { phaseWindow, type PhaseResult, summarize } from './measure';
import { GiveUp, waitUntil } from './procs';
import { type BenchReceiver, HANGING_PATH_PREFIX } from './receiver';
import { pad, round } from './report';
import { deathCheck, type Stack } from './stack';

/** Healthy subscribers match `bench.*`, so they get both types; only the hanging one gets this. */
const HANG_EVENT_TYPE = 'bench.hang';

export interface IsolationOptions {
  /** The healthy subscribers' receiver paths (already subscribed to `bench.*`). */
  healthyPaths: string[];
  /** Deliveries per second to the healthy subscribers, in both runs. */
  rate: number;
  seconds: number;
  maxInFlight: number;
  timeoutSeconds: number;
  say: (message: string) => void;
}

export interface IsolationResult {
  healthyDeliveriesPerSecond: number;
  seconds: number;
  eventsPerRun: number;
  /** Accept → first attempt at a healthy subscriber, ms. */
  baseline: PhaseResult['latency'];
  withHangingSubscriber: PhaseResult['latency'];
  /** Requests the hanging endpoint received (and never answered) during the second run. */
  hangingRequests: number;
  p99Ratio: number;
}

/** Waits until every healthy (event, path) pair has had its first attempt. */
async function awaitHealthy(stack: Stack, receiver: BenchReceiver, ids: string[], paths: string[], timeoutSeconds: number): Promise<void> {
  const missing = () => ids.reduce((n, id) => n + paths.filter((p) => !receiver.firstArrival.has(`${id} ${p}`)).length, 0);
  await waitUntil(() => {
    deathCheck(stack.temporal, stack.gateway, stack.worker);
    return missing() === 0;
  }, { what: `first attempts of ${ids.length} events at ${paths.length} healthy subscribers`, timeoutMs: timeoutSeconds * 1000 }).catch(
    (err: unknown) => {
      throw new GiveUp(`${err instanceof Error ? err.message : String(err)} (${missing()} missing)`);
    },
  );
}

export async function isolationPhase(stack: Stack, receiver: BenchReceiver, options: IsolationOptions): Promise<IsolationResult> {
  const { healthyPaths, rate, seconds, maxInFlight, timeoutSeconds, say } = options;
  const intervalMs = (1000 * healthyPaths.length) / rate;
  const count = Math.max(1, Math.round((seconds * 1000) / intervalMs));
  const acceptedAt = new Map<string, number>();

  const run = async (prefix: string, type: string | undefined): Promise<PhaseResult> => {
    const ids = Array.from({ length: count }, (_, i) => `${prefix}-${pad(i)}`);
    const usage = await phaseWindow(stack);
    await publishPaced(stack.api, ids, intervalMs, maxInFlight, acceptedAt, type);
    await awaitHealthy(stack, receiver, ids, healthyPaths, timeoutSeconds);
    return summarize(ids, healthyPaths, acceptedAt, receiver, await usage(ids.length * healthyPaths.length));
  };

  say(`isolation: baseline, ${count} events every ${round(intervalMs)} ms to ${healthyPaths.length} healthy subscribers`);
  const baseline = await run('ib', undefined);
  say(`isolation: baseline p50 ${baseline.latency.p50} ms, p99 ${baseline.latency.p99} ms`);

  // Default timeout and schedule, as a user who never tuned them would have.
  const hangPath = `${HANGING_PATH_PREFIX}-1`;
  const hanging = await stack.api.subscriptions.create({ tenantId: 'default', url: receiver.url(hangPath), eventTypes: [HANG_EVENT_TYPE] });
  const requestsBefore = receiver.requestsTo(hangPath);
  say(`isolation: the same load plus a subscriber that never answers`);
  const withHang = await run('ih', HANG_EVENT_TYPE);
  const hangingRequests = receiver.requestsTo(hangPath) - requestsBefore;
  say(`isolation: with a hanging subscriber p50 ${withHang.latency.p50} ms, p99 ${withHang.latency.p99} ms; it got ${hangingRequests} requests`);
  if (hangingRequests === 0) throw new Error('isolation: the hanging subscriber got no request, so nothing was measured');

  // Stop the hanging deliveries' retries so they weigh on nothing measured after this.
  for (let i = 0; i < count; i++) await stack.api.events.cancel(`ih-${pad(i)}`);
  await stack.api.subscriptions.update(hanging.id, { status: 'disabled' });

  return {
    healthyDeliveriesPerSecond: rate,
    seconds,
    eventsPerRun: count,
    baseline: baseline.latency,
    withHangingSubscriber: withHang.latency,
    hangingRequests,
    p99Ratio: round(withHang.latency.p99 / baseline.latency.p99, 2),
  };
}
