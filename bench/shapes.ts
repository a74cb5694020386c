// The speed goals of issue 12, on the stack `npm run dev` starts: two shapes of traffic, each
// measured through the product and, in the same run on the same server, as a bare Temporal
// workflow of the same shape (parent + one child per subscriber + one no-op activity each, from
// a worker in this process). The ratio of the two says what the product's own work costs.
import type { Worker } from '@temporalio/worker';
import { eventWorkflowId } from '../src/contract';
import { runPhaseAlone } from './alone';
import { publishAll, publishPaced } from './load';
import { phaseWindow, type PhaseResult, summarize } from './measure';
import { GiveUp, waitUntil } from './procs';
import type { BenchReceiver } from './receiver';
import { pad, round } from './report';
import { deathCheck, type Stack } from './stack';
import { bareWorker } from './temporal-ceiling';

export interface ShapeResult {
  shape: string;
  product: PhaseResult;
  bare: { deliveries: number; deliveriesPerSecond: number; cpu: PhaseResult['cpu']; temporal: PhaseResult['temporal'] };
  /** product deliveries/s ÷ bare deliveries/s. */
  ratio: number;
  /** History events per delivery of one event (its workflow and its deliveries'), product and bare. */
  historyEventsPerDelivery?: { product: number; bare: number };
}

export interface ShapesResult {
  oneSubscriber: ShapeResult;
  fanOut: ShapeResult;
  /** One-subscriber events posted at a steady 10/s: accept → first attempt. */
  paced: PhaseResult & { eventsPerSecond: number };
}

export interface ShapesOptions {
  events: number;
  fanOutSubscribers: number;
  fanOutEvents: number;
  concurrency: number;
  pacedSeconds: number;
  timeoutSeconds: number;
  say: (m: string) => void;
}

async function subscribe(stack: Stack, receiver: BenchReceiver, path: string, eventType: string): Promise<string> {
  const subscription = await stack.api.subscriptions.create({ tenantId: 'default', url: receiver.url(path), eventTypes: [eventType] });
  return subscription.id;
}

/** History events of a workflow and of the children it started (one level down). */
async function historyWithChildren(stack: Stack, workflowId: string): Promise<number> {
  const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const children = events.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
  let total = events.length;
  for (const child of children) total += (await stack.client.workflow.getHandle(child).fetchHistory()).events?.length ?? 0;
  return total;
}

async function awaitFirstAttempts(stack: Stack, receiver: BenchReceiver, phase: string, expected: number, timeoutSeconds: number): Promise<void> {
  await waitUntil(() => {
    deathCheck(stack.temporal, stack.gateway, stack.worker);
    const failed = stack.ledger.prepare("SELECT count(*) AS n FROM deliveries WHERE event_id LIKE ? AND status IN ('failed','cancelled')").get(`${phase}-%`) as { n: number };
    if (failed.n > 0) throw new GiveUp(`phase ${phase}: ${failed.n} deliveries ended badly`);
    return receiver.firstAttempts(phase) >= expected;
  }, { what: `${expected} first attempts of phase ${phase} (saw ${receiver.firstAttempts(phase)})`, timeoutMs: timeoutSeconds * 1000 });
}

/** Product: `ids` events posted `concurrency` at a time, each to `paths.length` subscribers. */
async function productPhase(stack: Stack, receiver: BenchReceiver, ids: string[], paths: string[], eventType: string, o: ShapesOptions): Promise<PhaseResult> {
  const phase = ids[0]!.slice(0, ids[0]!.indexOf('-'));
  const acceptedAt = new Map<string, number>();
  const usage = await phaseWindow(stack);
  await publishAll(stack.api, ids, o.concurrency, acceptedAt, eventType);
  await awaitFirstAttempts(stack, receiver, phase, ids.length * paths.length, o.timeoutSeconds);
  return summarize(ids, paths, acceptedAt, receiver, await usage(ids.length * paths.length));
}

/**
 * Bare Temporal: `parents` workflows of `children` children each, started `concurrency` at a time
 * as the gateway's posts are (each start returns when Temporal has it, not when it is done), then
 * all awaited: the same load pattern as the product's phase, where events queue up behind intake.
 */
async function barePhase(stack: Stack, worker: Worker, taskQueue: string, parents: number, children: number, concurrency: number, tag: string) {
  return worker.runUntil(async () => {
    const usage = await phaseWindow(stack);
    const started = performance.now();
    const handles: Promise<unknown>[] = [];
    let next = 0;
    const lane = async () => {
      while (next < parents) {
        const i = next++;
        const handle = await stack.client.workflow.start('bareEventWorkflow', { taskQueue, workflowId: `bare-${tag}-${i}`, args: [children] });
        handles.push(handle.result());
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, parents) }, lane));
    await Promise.all(handles);
    const deliveries = parents * children;
    const seconds = (performance.now() - started) / 1000;
    return { deliveries, deliveriesPerSecond: round(deliveries / seconds), ...(await usage(deliveries)) };
  });
}

function shape(name: string, product: PhaseResult, bare: ShapeResult['bare']): ShapeResult {
  return { shape: name, product, bare, ratio: round(product.deliveriesPerSecond / bare.deliveriesPerSecond, 2) };
}

export async function shapesPhase(stack: Stack, receiver: BenchReceiver, o: ShapesOptions): Promise<ShapesResult> {
  await subscribe(stack, receiver, '/solo', 'solo.*');
  const widePaths = Array.from({ length: o.fanOutSubscribers }, (_, i) => `/wide-${i + 1}`);
  for (const p of widePaths) await subscribe(stack, receiver, p, 'wide.*');
  const bare = await bareWorker(stack);
  try {
    o.say(`shapes: warm-up (20 one-subscriber events, 20 bare)`);
    await productPhase(stack, receiver, Array.from({ length: 20 }, (_, i) => `sw-${pad(i)}`), ['/solo'], 'solo.created', o);
    await barePhase(stack, await bare.worker(), bare.taskQueue, 20, 1, o.concurrency, 'warm');

    o.say(`shapes: ${o.events} one-subscriber events, ${o.concurrency} posts in flight`);
    const solo = await productPhase(stack, receiver, Array.from({ length: o.events }, (_, i) => `so-${pad(i)}`), ['/solo'], 'solo.created', o);
    const soloBare = await barePhase(stack, await bare.worker(), bare.taskQueue, o.events, 1, o.concurrency, 'solo');
    o.say(`shapes: one subscriber ${solo.deliveriesPerSecond}/s, bare ${soloBare.deliveriesPerSecond}/s`);

    o.say(`shapes: ${o.fanOutEvents} events to ${o.fanOutSubscribers} subscribers`);
    const fanIds = Array.from({ length: o.fanOutEvents }, (_, i) => `fw-${pad(i)}`);
    const fan = await productPhase(stack, receiver, fanIds, widePaths, 'wide.created', o);
    const fanBare = await barePhase(stack, await bare.worker(), bare.taskQueue, o.fanOutEvents, o.fanOutSubscribers, o.concurrency, 'fan');
    o.say(`shapes: fan-out ${fan.deliveriesPerSecond}/s, bare ${fanBare.deliveriesPerSecond}/s`);

    const count = o.pacedSeconds * 10;
    o.say(`shapes: ${count} one-subscriber events at 10/s`);
    const pacedIds = Array.from({ length: count }, (_, i) => `sp-${pad(i)}`);
    const acceptedAt = new Map<string, number>();
    const usage = await phaseWindow(stack);
    await publishPaced(stack.api, pacedIds, 100, o.concurrency, acceptedAt, 'solo.created');
    await awaitFirstAttempts(stack, receiver, 'sp', count, o.timeoutSeconds);
    const paced = { ...summarize(pacedIds, ['/solo'], acceptedAt, receiver, await usage(count)), eventsPerSecond: 10 };
    const oneSubscriber = {
      ...shape('one subscriber', solo, soloBare),
      historyEventsPerDelivery: { product: await historyWithChildren(stack, eventWorkflowId('so-000001')), bare: await historyWithChildren(stack, 'bare-solo-1') },
    };
    return { oneSubscriber, fanOut: shape(`${o.fanOutSubscribers} subscribers`, fan, fanBare), paced };
  } finally {
    await bare.close();
  }
}

type Row = [string, string | number | undefined];

export function shapesRows(r: ShapesResult): Row[] {
  const rows = (s: ShapeResult): Row[] => [
    [`${s.shape}: deliveries/s (product / bare Temporal)`, `${s.product.deliveriesPerSecond} / ${s.bare.deliveriesPerSecond} (x${s.ratio})`],
    [`${s.shape}: temporal cpu ms/delivery (product / bare)`, `${s.product.cpu.msPerDelivery.temporal} / ${s.bare.cpu.msPerDelivery.temporal}`],
    [`${s.shape}: worker+gateway / bare worker cpu ms/delivery`, `${round((s.product.cpu.msPerDelivery.worker ?? 0) + (s.product.cpu.msPerDelivery.gateway ?? 0))} / ${s.bare.cpu.msPerDelivery.bench}`],
    [`${s.shape}: persistence ops/delivery (product / bare)`, `${s.product.temporal.persistenceOpsPerDelivery} / ${s.bare.temporal.persistenceOpsPerDelivery}`],
    [`${s.shape}: accept → first attempt p50 / p99 ms`, `${s.product.latency.p50} / ${s.product.latency.p99}`],
    ...(s.historyEventsPerDelivery
      ? ([[`${s.shape}: history events per delivery (product / bare)`, `${s.historyEventsPerDelivery.product} / ${s.historyEventsPerDelivery.bare}`]] as Row[])
      : []),
  ];
  return [
    ...rows(r.oneSubscriber),
    ...rows(r.fanOut),
    ['at 10 events/s: accept → first attempt p50 / p99 ms', `${r.paced.latency.p50} / ${r.paced.latency.p99}`],
  ];
}

/** Defaults for `npm run bench` and for this phase alone (BENCH_SHAPES_* to change them). */
export const shapesDefaults = (say: (m: string) => void): ShapesOptions => ({
  events: Number(process.env.BENCH_SHAPES_EVENTS ?? 400),
  fanOutSubscribers: 300,
  fanOutEvents: Number(process.env.BENCH_SHAPES_FANOUT_EVENTS ?? 3),
  concurrency: 20,
  pacedSeconds: Number(process.env.BENCH_SHAPES_PACED_SECONDS ?? 20),
  timeoutSeconds: 300,
  say,
});

/** `npx tsx bench/shapes.ts`: this phase alone, on a stack of its own. */
if (require.main === module) runPhaseAlone('shapes', (stack, receiver, say) => shapesPhase(stack, receiver, shapesDefaults(say)), shapesRows);
