// Two-tenant phase of `npm run bench` (issue 17, fair use): a small tenant's accept → first
// attempt latency alone, then beside a large tenant's 150 endpoints that never answer, then while
// the large tenant's backlog of 1,500 deliveries drains. Goals: within 2 s beside the hanging
// endpoints, within 5 s during the backlog.
import { runPhaseAlone } from './alone';
import { GiveUp, waitUntil } from './procs';
import { HANGING_PATH_PREFIX, type BenchReceiver } from './receiver';
import { percentile, round } from './report';
import { deathCheck, type Stack } from './stack';

const BIG = 'bench-big';
const SMALL = 'bench-small';

export interface TenantsOptions {
  hangingEndpoints: number;
  backlogEvents: number;
  backlogSubscribers: number;
  /** The small tenant's events per measurement, one every `intervalMs`. */
  smallEvents: number;
  intervalMs: number;
  timeoutSeconds: number;
  say: (m: string) => void;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
}

export interface TenantsResult {
  alone: Latency;
  besideHanging: Latency & { hangingRequests: number };
  duringBacklog: Latency & { backlogDeliveries: number; backlogDrainedSeconds: number };
}

async function subscribe(stack: Stack, tenantId: string, url: string, eventType: string): Promise<void> {
  await stack.api.subscriptions.create({ tenantId, url, eventTypes: [eventType], timeoutMs: 30_000, retrySchedule: ['0'] });
}

/** The small tenant's events, paced; resolves with accept → first attempt of each, in ms. */
async function smallTenantLatency(stack: Stack, receiver: BenchReceiver, tag: string, o: TenantsOptions): Promise<Latency> {
  const acceptedAt = new Map<string, number>();
  for (let i = 0; i < o.smallEvents; i++) {
    const id = `${tag}-${i}`;
    const next = performance.now() + o.intervalMs;
    await stack.api.events.send({ id, tenantId: SMALL, type: 'small.created', data: { i } });
    acceptedAt.set(id, performance.now());
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const arrival = (id: string) => receiver.firstArrival.get(`${id} /small`);
  await waitUntil(() => {
    deathCheck(stack.temporal, stack.gateway, stack.worker);
    return [...acceptedAt.keys()].every((id) => arrival(id) !== undefined);
  }, { what: `the small tenant's ${tag} deliveries`, timeoutMs: o.timeoutSeconds * 1000 }).catch((err: unknown) => {
    throw new GiveUp(String(err));
  });
  const latencies = [...acceptedAt].map(([id, at]) => arrival(id)! - at).sort((a, b) => a - b);
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1]!) };
}

export async function tenantsPhase(stack: Stack, receiver: BenchReceiver, o: TenantsOptions): Promise<TenantsResult> {
  await stack.api.tenants.put(BIG, { name: 'large tenant' });
  await stack.api.tenants.put(SMALL, { name: 'small tenant' });
  await subscribe(stack, SMALL, receiver.url('/small'), 'small.created');
  for (let i = 0; i < o.hangingEndpoints; i++) await subscribe(stack, BIG, receiver.url(`${HANGING_PATH_PREFIX}-big-${i}`), 'big.hang');
  for (let i = 0; i < o.backlogSubscribers; i++) await subscribe(stack, BIG, receiver.url(`/big-${i}`), 'big.created');

  o.say(`tenants: the small tenant alone, ${o.smallEvents} events every ${o.intervalMs} ms`);
  const alone = await smallTenantLatency(stack, receiver, 'ta', o);

  o.say(`tenants: beside the large tenant's ${o.hangingEndpoints} endpoints that never answer`);
  const hang = await stack.api.events.send({ id: 'th-big', tenantId: BIG, type: 'big.hang', data: {} });
  const latency = await smallTenantLatency(stack, receiver, 'th', o);
  const hangingRequests = Array.from({ length: o.hangingEndpoints }, (_, i) => receiver.requestsTo(`${HANGING_PATH_PREFIX}-big-${i}`)).reduce((a, b) => a + b, 0);
  const besideHanging = { ...latency, hangingRequests };
  await stack.api.events.cancel(hang.event.id);

  o.say(`tenants: during the large tenant's backlog of ${o.backlogEvents} events x ${o.backlogSubscribers} endpoints`);
  const started = performance.now();
  for (let i = 0; i < o.backlogEvents; i += 500) {
    const events = Array.from({ length: Math.min(500, o.backlogEvents - i) }, (_, j) => ({ id: `tb-${i + j}`, tenantId: BIG, type: 'big.created', data: { n: i + j } }));
    await stack.api.events.sendBatch(events);
  }
  const duringBacklog = await smallTenantLatency(stack, receiver, 'ts', o);
  const backlogDeliveries = o.backlogEvents * o.backlogSubscribers;
  await waitUntil(() => receiver.firstAttempts('tb') >= backlogDeliveries, { what: 'the backlog drained', timeoutMs: o.timeoutSeconds * 1000 });
  const backlogDrainedSeconds = round((performance.now() - started) / 1000);
  return { alone, besideHanging, duringBacklog: { ...duringBacklog, backlogDeliveries, backlogDrainedSeconds } };
}

type Row = [string, string | number | undefined];

export function tenantsRows(r: TenantsResult): Row[] {
  const l = (x: Latency) => `${x.p50} / ${x.p99} (max ${x.max})`;
  return [
    ['small tenant alone: accept → first attempt p50 / p99 ms', l(r.alone)],
    [`  beside the large tenant's hanging endpoints (${r.besideHanging.hangingRequests} requests held)`, l(r.besideHanging)],
    [`  during its backlog of ${r.duringBacklog.backlogDeliveries} (drained in ${r.duringBacklog.backlogDrainedSeconds} s)`, l(r.duringBacklog)],
  ];
}

export const tenantsDefaults = (say: (m: string) => void): TenantsOptions => ({
  hangingEndpoints: Number(process.env.BENCH_TENANTS_HANGING ?? 150),
  backlogEvents: Number(process.env.BENCH_TENANTS_BACKLOG_EVENTS ?? 300),
  backlogSubscribers: 5,
  smallEvents: Number(process.env.BENCH_TENANTS_SMALL_EVENTS ?? 20),
  intervalMs: 500,
  timeoutSeconds: 300,
  say,
});

/** `npx tsx bench/tenants.ts`: this phase alone, on a stack of its own. */
if (require.main === module) runPhaseAlone('tenants', (stack, receiver, say) => tenantsPhase(stack, receiver, tenantsDefaults(say)), tenantsRows);
