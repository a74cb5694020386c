// The Prometheus endpoints end to end: the real gateway and worker entry points as processes (the
// SDK's exporter is installed once per process, by the worker's main), real deliveries to a real
// receiver, then each endpoint scraped and its counters compared before and after.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { METRIC } from '../../src/metrics';
import { freePort } from '../helpers/ports';
import { waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { TEST_TOKEN, useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { killHard, spawnGateway, useWorkerProcesses } from '../helpers/worker-process';
import { Scrape } from './scrape';

const DASHBOARD = path.resolve(__dirname, '..', '..', 'deploy', 'grafana', 'dashboards', 'webhooks.json');

const endpoints = { gateway: '', worker: '', sdk: '' };
let api = '';
/** What the receiver saw while it held the first /limited request (see `respond`). */
const held = { inFlight: 0, error: undefined as unknown };

/** The first request to /limited is held until the worker reports the second one deferred. */
async function holdUntilDeferred(): Promise<void> {
  try {
    await waitUntil(
      async () => {
        const worker = await Scrape.of(endpoints.worker);
        held.inFlight = Math.max(held.inFlight, worker.sum(METRIC.attemptsInFlight));
        return worker.sum(METRIC.attemptsDeferred, { limit: 'max_concurrency' }) > 0;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'a deferral at maxConcurrency 1' },
    );
  } catch (err) {
    held.error = err;
  }
}

const receiver = new TestReceiver(async (req, nth) => {
  if (req.path === '/fail' || req.path === '/cancel') return { status: 500 };
  if (req.path === '/limited' && nth === 1) await holdUntilDeferred();
  return { status: 200 };
});
const workers = useWorkerProcesses();
let gateway: ChildProcess | undefined;
// The processes start once the stack (Temporal, the ledger) is up: its setup step.
const stack = useStack({ withoutWorker: true, setup: startProcesses }, receiver);

async function startProcesses(): Promise<void> {
  const [apiPort, gatewayMetrics, workerMetrics, sdkMetrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  api = `http://127.0.0.1:${apiPort}`;
  endpoints.gateway = `http://127.0.0.1:${gatewayMetrics}/metrics`;
  endpoints.worker = `http://127.0.0.1:${workerMetrics}/metrics`;
  endpoints.sdk = `http://127.0.0.1:${sdkMetrics}/metrics`;
  const ports = { METRICS_HOST: '127.0.0.1', PUBLIC_URL: api };
  gateway = spawnGateway(stack.config, { ...ports, PORT: String(apiPort), GATEWAY_METRICS_PORT: String(gatewayMetrics) });
  // A quick reconciler, so that a stranded event is repaired within the test.
  workers.spawn(stack.config, { ...ports, WORKER_METRICS_PORT: String(workerMetrics), WORKER_SDK_METRICS_PORT: String(sdkMetrics), RECONCILE_INTERVAL: '1s', RECONCILE_GRACE: '1s' });
  await waitUntil(async () => (await fetch(`${api}/healthz`)).ok && (await fetch(endpoints.worker)).ok && (await fetch(endpoints.sdk)).ok, {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the gateway, the worker and their metrics endpoints',
  });
}
after(async () => {
  if (gateway) await killHard(gateway);
});

async function call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function subscribe(urlPath: string, type: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/v1/subscriptions', { tenantId: 'default', url: receiver.url(urlPath), eventTypes: [type], ...extra });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

const scrapeAll = async () => ({ gateway: await Scrape.of(endpoints.gateway), worker: await Scrape.of(endpoints.worker), sdk: await Scrape.of(endpoints.sdk) });
type Scrapes = Awaited<ReturnType<typeof scrapeAll>>;

/** Change in a sample between two scrapes of the same endpoint. */
const delta = (a: Scrape, b: Scrape, name: string, labels: Record<string, string> = {}) => b.sum(name, labels) - a.sum(name, labels);
/** deliveries_completed_total is counted by whichever process moved the delivery: gateway plus worker. */
const completed = (s: Scrapes, outcome: string) => s.gateway.sum(METRIC.deliveriesCompleted, { outcome }) + s.worker.sum(METRIC.deliveriesCompleted, { outcome });

/** Posts the events: 3 new singly, 1 single repeat, a batch of 2 new and 1 repeat; one left stranded for the reconciler. */
async function postEvents(): Promise<void> {
  for (const [id, type] of [['evt_ok_1', 'metrics.ok'], ['evt_fail_1', 'metrics.fail'], ['evt_cancel_1', 'metrics.cancel']]) {
    assert.equal((await call('POST', '/v1/events', { id, tenantId: 'default', type, data: { n: 1 } })).status, 202, id);
  }
  assert.equal((await call('POST', '/v1/events', { id: 'evt_ok_1', tenantId: 'default', type: 'metrics.ok', data: { n: 1 } })).status, 200, 'a repeat');
  const batch = await call('POST', '/v1/events/batch', {
    events: [
      { id: 'evt_lim_1', tenantId: 'default', type: 'metrics.limited', data: {} },
      { id: 'evt_lim_2', tenantId: 'default', type: 'metrics.limited', data: {} },
      { id: 'evt_ok_1', tenantId: 'default', type: 'metrics.ok', data: { n: 1 } },
    ],
  });
  assert.deepEqual((batch.body.results as { status: number }[]).map((r) => r.status), [202, 202, 200]);
  // Recorded but never started (as if the gateway died after its insert): the reconciler's to repair.
  await stack.ledger.events.insert({ tenantId: 'default', id: 'evt_stranded', type: 'metrics.ok', data: {} });
}

/** The /cancel delivery fails its first attempt, waits an hour to retry, and is cancelled meanwhile. */
async function cancelTheWaitingDelivery(): Promise<void> {
  const deliveryId = await waitUntil(
    async () => {
      const [delivery] = await stack.ledger.deliveries.listForEvent('evt_cancel_1');
      return delivery?.status === 'delivering' && delivery.nextAttemptAt !== null && delivery.id;
    },
    { timeoutMs: 60_000, what: 'the /cancel delivery to wait for its retry' },
  );
  assert.equal((await call('POST', `/v1/deliveries/${deliveryId}/cancel`)).status, 202);
  await waitUntil(async () => (await stack.ledger.deliveries.get(deliveryId))?.status === 'cancelled', { timeoutMs: 30_000, what: 'the cancellation' });
}

test('gateway, worker and SDK metrics count real deliveries exactly', async () => {
  const [ok, fail, cancel, limited] = [
    await subscribe('/ok', 'metrics.ok'),
    await subscribe('/fail', 'metrics.fail', { retrySchedule: ['0', '100ms'] }),
    await subscribe('/cancel', 'metrics.cancel', { retrySchedule: ['0', '1h'] }),
    await subscribe('/limited', 'metrics.limited', { maxConcurrency: 1 }),
  ];
  const before = await scrapeAll();
  await postEvents();
  await cancelTheWaitingDelivery();
  for (const [id, n] of [['evt_ok_1', 1], ['evt_fail_1', 1], ['evt_lim_1', 1], ['evt_lim_2', 1], ['evt_stranded', 1]] as const) {
    await waitForEventDone(stack, id, n, 90_000);
  }
  // The ledger is written before the counter moves (after its commit): wait for the last of them.
  const done = await waitUntil(
    async () => {
      const s = await scrapeAll();
      return completed(s, 'succeeded') - completed(before, 'succeeded') >= 4 && completed(s, 'cancelled') - completed(before, 'cancelled') >= 1 && s;
    },
    { timeoutMs: 30_000, what: 'the worker to count the deliveries' },
  );
  assertIntake(before, done);
  assertDeliveries(before, done);
  assertAttempts(before, done);
  assert.equal(held.error, undefined, 'the second /limited delivery was deferred while the first was held');
  assert.ok(held.inFlight >= 1, `an attempt was in flight while the receiver held it (saw ${held.inFlight})`);
  assert.ok(delta(before.worker, done.worker, METRIC.attemptsDeferred, { limit: 'max_concurrency' }) >= 1);
  assert.equal(delta(before.worker, done.worker, METRIC.attemptsDeferred, { limit: 'rate_limit' }), 0);
  assert.equal(done.worker.sum(METRIC.attemptsInFlight), 0, 'nothing in flight once every delivery ended');
  // The stranded event is repaired once: the reconciler starts its workflow, or, when a later event's
  // fan-out caught it up first (an operational one such as webhook.delivery.cancelled), its delivery.
  const [eventStarted, eventEnded, deliveryStarted, deliveryEnded] = ['event_started', 'event_ended', 'delivery_started', 'delivery_ended'].map((repair) =>
    delta(before.worker, done.worker, METRIC.reconcilerRepairs, { repair }),
  );
  assert.deepEqual([eventStarted! + deliveryStarted!, eventEnded, deliveryEnded], [1, 0, 0], 'the reconciler repaired the stranded event once, and nothing else');
  await assertEndpointStates({ ok, fail, cancel, limited });
  assertSdk(done.sdk);
  for (const s of [done.gateway, done.worker]) assert.ok(s.has('process_cpu_seconds_total') && s.has('nodejs_eventloop_lag_seconds'), 'default process metrics');
});

function assertIntake(before: Scrapes, after: Scrapes): void {
  const accepted = (intake: string, result: string) => delta(before.gateway, after.gateway, METRIC.eventsAccepted, { intake, result });
  assert.deepEqual(
    { singleNew: accepted('single', 'new'), singleRepeat: accepted('single', 'repeat'), batchNew: accepted('batch', 'new'), batchRepeat: accepted('batch', 'repeat') },
    { singleNew: 3, singleRepeat: 1, batchNew: 2, batchRepeat: 1 },
  );
  // The stranded event was inserted into the ledger directly: the gateway never saw it.
}

function assertDeliveries(before: Scrapes, after: Scrapes): void {
  const ended = (outcome: string) => completed(after, outcome) - completed(before, outcome);
  assert.deepEqual({ succeeded: ended('succeeded'), failed: ended('failed'), cancelled: ended('cancelled') }, { succeeded: 4, failed: 1, cancelled: 1 });
}

function assertAttempts(before: Scrapes, after: Scrapes): void {
  const w = (name: string, labels: Record<string, string> = {}) => delta(before.worker, after.worker, name, labels);
  // 2xx: /ok, /limited twice and the stranded event's; 5xx: /fail twice, /cancel once.
  assert.deepEqual({ '2xx': w(METRIC.attempts, { status_class: '2xx' }), '5xx': w(METRIC.attempts, { status_class: '5xx' }), all: w(METRIC.attempts) }, { '2xx': 4, '5xx': 3, all: 7 });
  assert.equal(w(`${METRIC.attemptDuration}_count`, { status_class: '2xx' }), 4);
  assert.equal(w(`${METRIC.attemptDuration}_count`, { status_class: '5xx' }), 3);
  assert.equal(w(`${METRIC.attemptDuration}_bucket`, { status_class: '2xx', le: '+Inf' }), 4);
  assert.ok(w(`${METRIC.attemptDuration}_sum`) > 0);
  // One first attempt per delivery: six deliveries, whatever their later attempts.
  assert.equal(w(`${METRIC.firstAttemptLag}_count`), 6);
  assert.equal(w(`${METRIC.firstAttemptLag}_bucket`, { le: '+Inf' }), 6);
  // The stranded one waited for the reconciler (over a second); the others far less than a minute.
  assert.ok(w(`${METRIC.firstAttemptLag}_bucket`, { le: '60' }) === 6);
  assert.ok(w(`${METRIC.firstAttemptLag}_bucket`, { le: '0.5' }) <= 5, 'the stranded event took longer than half a second');
}

async function assertEndpointStates(ids: { ok: string; fail: string; cancel: string; limited: string }): Promise<void> {
  const states = async () => {
    const s = await Scrape.of(endpoints.worker);
    return { healthy: s.sum(METRIC.endpoints, { state: 'healthy' }), failing: s.sum(METRIC.endpoints, { state: 'failing' }), disabled: s.sum(METRIC.endpoints, { state: 'disabled' }) };
  };
  // /fail and /cancel answered 500 (failing); /ok and /limited answered 200. Read at scrape time.
  assert.deepEqual(await states(), { healthy: 2, failing: 2, disabled: 0 });
  assert.equal((await call('PATCH', `/v1/subscriptions/${ids.fail}`, { status: 'disabled' })).status, 200);
  assert.deepEqual(await states(), { healthy: 2, failing: 1, disabled: 1 });
}

function assertSdk(sdk: Scrape): void {
  assert.ok(sdk.sum('temporal_workflow_completed') > 0, 'the SDK exporter counts completed workflows');
  assert.ok(sdk.sum('temporal_activity_execution_latency_count') > 0, 'and activity executions');
  // The labels the dashboard groups by.
  assert.ok(sdk.samples.some((s) => s.name === 'temporal_workflow_completed' && s.labels.workflow_type === 'deliveryWorkflow'), 'workflow_type');
  assert.ok(sdk.samples.some((s) => s.name === 'temporal_worker_task_slots_available' && s.labels.worker_type), 'worker_type');
  assert.ok(sdk.samples.some((s) => s.name === 'temporal_activity_execution_latency_count' && s.labels.activity_type), 'activity_type');
  assert.ok(sdk.samples.some((s) => s.name === 'temporal_local_activity_execution_latency_count' && s.labels.activity_type), 'local activity_type');
  // Every SDK metric the Grafana dashboard queries is one the exporter really serves.
  const queried = new Set(fs.readFileSync(DASHBOARD, 'utf8').match(/\btemporal_[a-z_]+/g) ?? []);
  assert.ok(queried.size > 0, 'the dashboard has a Temporal SDK panel');
  const served = sdk.names();
  assert.deepEqual([...queried].filter((name) => !served.has(name)), [], `served: ${[...served].filter((n) => n.startsWith('temporal_')).join(' ')}`);
}
