// FIFO phase of `npm run bench`: the same events to a FIFO subscription and to an ordinary one
// beside it. Reports each one's deliveries per second and what the order costs in Temporal: the
// queue workflow's Actions per delivery (its page reads and wake signals; the delivery workflows
// themselves cost the same as any other).
import { fifoQueueWorkflowId } from '../src/contract';
import { runPhaseAlone } from './alone';
import { countActions, totalActions } from './history';
import { publishAll } from './load';
import { GiveUp, waitUntil } from './procs';
import type { BenchReceiver } from './receiver';
import { pad, round } from './report';
import { deathCheck, type Stack } from './stack';

const FIFO_EVENT_TYPE = 'benchfifo.tick';

export interface FifoResult {
  events: number;
  fifoDeliveriesPerSecond: number;
  unorderedDeliveriesPerSecond: number;
  /** Actions of the queue workflow (all its runs) per FIFO delivery, besides the delivery's own. */
  queueActionsPerDelivery: number;
  queueSignals: number;
  queueRuns: number;
}

async function subscribe(stack: Stack, receiver: BenchReceiver, path: string, ordering: 'fifo' | 'unordered'): Promise<string> {
  const subscription = await stack.api.subscriptions.create({ tenantId: 'default', url: receiver.url(path), eventTypes: [FIFO_EVENT_TYPE], ordering });
  return subscription.id;
}

/** Seconds from the first post until every event's first attempt reached `path`. */
async function secondsUntilAll(stack: Stack, receiver: BenchReceiver, ids: string[], path: string, start: number, timeoutSeconds: number) {
  const arrived = () => ids.filter((id) => receiver.firstArrival.has(`${id} ${path}`)).length;
  await waitUntil(() => {
    deathCheck(stack.temporal, stack.gateway, stack.worker);
    return arrived() === ids.length;
  }, { what: `${ids.length} deliveries to ${path}`, timeoutMs: timeoutSeconds * 1000 }).catch((err: unknown) => {
    throw new GiveUp(`${err instanceof Error ? err.message : String(err)} (${arrived()} arrived)`);
  });
  return (Math.max(...ids.map((id) => receiver.firstArrival.get(`${id} ${path}`)!)) - start) / 1000;
}

/** The queue workflow's Actions over all its runs (it continues as new and restarts when woken). */
async function queueCost(stack: Stack, subscriptionId: string) {
  const handle = stack.client.workflow.getHandle(fifoQueueWorkflowId(subscriptionId));
  await waitUntil(async () => (await handle.describe()).status.name !== 'RUNNING', { what: 'the FIFO queue to go idle', timeoutMs: 60_000 });
  let actions = 0;
  let signals = 0;
  let runs = 0;
  for await (const run of stack.client.workflow.list({ query: `WorkflowId = "${fifoQueueWorkflowId(subscriptionId)}"` })) {
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const counts = countActions(history.events ?? []);
    // Children are the deliveries' own start, counted for every delivery whatever its ordering.
    actions += totalActions(counts) - counts.childWorkflows;
    signals += counts.signals;
    runs++;
  }
  return { actions, signals, runs };
}

export async function fifoPhase(stack: Stack, receiver: BenchReceiver, events: number, timeoutSeconds: number, say: (m: string) => void): Promise<FifoResult> {
  const fifo = await subscribe(stack, receiver, '/fifo-ordered', 'fifo');
  await subscribe(stack, receiver, '/fifo-beside', 'unordered');
  const ids = Array.from({ length: events }, (_, i) => `fifo-${pad(i)}`);
  say(`fifo: ${events} events to a FIFO subscription and an unordered one beside it`);
  const start = performance.now();
  await publishAll(stack.api, ids, 10, new Map(), FIFO_EVENT_TYPE);
  const [fifoSeconds, besideSeconds] = await Promise.all([
    secondsUntilAll(stack, receiver, ids, '/fifo-ordered', start, timeoutSeconds),
    secondsUntilAll(stack, receiver, ids, '/fifo-beside', start, timeoutSeconds),
  ]);
  const cost = await queueCost(stack, fifo);
  const result = {
    events,
    fifoDeliveriesPerSecond: round(events / fifoSeconds, 1),
    unorderedDeliveriesPerSecond: round(events / besideSeconds, 1),
    queueActionsPerDelivery: round(cost.actions / events, 3),
    queueSignals: cost.signals,
    queueRuns: cost.runs,
  };
  say(`fifo: ${result.fifoDeliveriesPerSecond}/s in order, ${result.unorderedDeliveriesPerSecond}/s beside; queue ${result.queueActionsPerDelivery} Actions per delivery`);
  return result;
}

/** The FIFO phase's rows in the bench's table. */
export function fifoRows(r: FifoResult | undefined): [string, string | number | undefined][] {
  if (!r) return [];
  return [
    [`fifo: ${r.events} events, deliveries/s in order / beside it`, `${r.fifoDeliveriesPerSecond} / ${r.unorderedDeliveriesPerSecond}`],
    ['fifo: queue Actions per delivery (signals, runs)', `${r.queueActionsPerDelivery} (${r.queueSignals}, ${r.queueRuns})`],
  ];
}

/** `npx tsx bench/fifo.ts`: this phase alone, on a stack of its own. */
if (require.main === module) runPhaseAlone('fifo', (stack, receiver, say) => fifoPhase(stack, receiver, 200, 300, say), fifoRows);
