import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { openDatabase } from '../../src/store/db';
import type { Database } from '../../src/store/schema';
import { testDatabase } from '../helpers/database';
import { TEST_TOKEN } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { bulkRetryProblems, type ChaosWorld, deliveryProblems, figures } from './convergence';
import { freePort, type ManagedProcess, nodeService, temporalDevServer, waitForGateway, waitForTemporal } from './processes';
import { type Api, EventProducer, gatewayApi } from './producer';
import { alwaysFail, alwaysOk, ChaosReceiver, failFirst, slowOk } from './receivers';

// Chaos: events flow to real receivers while the worker, the Temporal dev server and the gateway
// are each killed -9 mid-stream, then the gateway once more in the middle of a bulk retry. After
// the last fault everything must converge: each (event, subscriber) received, one success per
// delivery in the ledger, nothing left running.

const EVENT_TYPE = 'chaos.tick';
const EVENTS_PER_PHASE = 12;
const CONVERGENCE_BOUND_MS = 150_000;
const RETRY_SCHEDULE = ['0', '200ms', '500ms', '1s', '2s', '2s', '2s', '2s', '2s', '2s'];
const t0 = Date.now();
const elapsed = (from = t0) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
const say = (message: string) => console.log(`[chaos +${elapsed()}] ${message}`);

interface Rig {
  dir: string;
  temporal: ManagedProcess;
  worker: ManagedProcess;
  gateway: ManagedProcess;
  temporalAddress: string;
  gatewayUrl: string;
  taskQueue: string;
  api: Api;
  connection: Connection;
  client: Client;
  db: Kysely<Database>;
  dropDatabase: () => Promise<void>;
}

const receivers = {
  steady: new ChaosReceiver('steady', alwaysOk),
  flaky: new ChaosReceiver('flaky', failFirst(2)),
  slow: new ChaosReceiver('slow', slowOk),
  // Fails every delivery for good until the test heals it and bulk-retries them.
  healed: new ChaosReceiver('healed', alwaysFail),
  // A FIFO endpoint that fails the first request of one event in five: its queue must keep
  // sequence order through every kill (fewer failures than /flaky: the queue runs one at a time).
  ordered: new ChaosReceiver('ordered', (id, nth) => (nth === 1 && /[05]$/.test(id) ? 500 : 200)),
};
const allReceivers = Object.values(receivers);
const rig: Partial<Rig> = {};

before(async () => {
  rig.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-chaos-'));
  await Promise.all(allReceivers.map((r) => r.http.start()));
  await startProcesses(rig as Partial<Rig> & { dir: string });
});

after(async () => {
  // Every step on its own: one that fails must not leave a process running.
  const steps: [string, () => Promise<unknown> | undefined][] = [
    ['worker', () => rig.worker?.kill9()],
    ['gateway', () => rig.gateway?.kill9()],
    ['temporal', () => rig.temporal?.kill9()],
    ['receivers', () => Promise.all(allReceivers.map((r) => r.http.stop()))],
    ['temporal client', () => rig.connection?.close()],
    ['ledger', () => rig.db?.destroy()],
    ['database', () => rig.dropDatabase?.()],
  ];
  for (const [name, step] of steps) await Promise.resolve(step()).catch((err: Error) => console.error(`[chaos] cleanup ${name}: ${err.message}`));
  if (rig.dir) fs.rmSync(rig.dir, { recursive: true, force: true });
});

/** Temporal first, then the gateway (it migrates the ledger), then the worker: all real processes. */
async function startProcesses(r: Partial<Rig> & { dir: string }): Promise<void> {
  const [temporalPort, gatewayPort] = [await freePort(), await freePort()];
  const database = await testDatabase(r.dir);
  r.dropDatabase = database.drop;
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  r.temporalAddress = temporalAddress;
  r.temporal = temporalDevServer(temporalPort, path.join(r.dir, 'temporal.sqlite'));
  r.temporal.start();
  await waitForTemporal(r.temporal, temporalAddress);
  r.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  r.taskQueue = `chaos-${process.pid}`;
  const env = {
    API_TOKEN: TEST_TOKEN,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporalAddress,
    TASK_QUEUE: r.taskQueue,
    PORT: String(gatewayPort),
    PUBLIC_URL: r.gatewayUrl,
    ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'error',
    RECONCILE_INTERVAL: '2s',
    RECONCILE_GRACE: '2s',
  };
  r.gateway = nodeService('gateway', 'src/gateway/main.ts', env);
  r.gateway.start();
  await waitForGateway(r.gateway, r.gatewayUrl);
  r.worker = nodeService('worker', 'src/worker/main.ts', env);
  r.worker.start();
  r.api = gatewayApi(r.gatewayUrl, TEST_TOKEN);
  r.connection = await Connection.connect({ address: temporalAddress });
  r.client = new Client({ connection: r.connection });
  r.db = await openDatabase(database.url);
  await waitForWorkerPolling(r as Rig);
  say(`Temporal ${temporalAddress}, gateway ${r.gatewayUrl}, worker pid ${r.worker.pid}: all up`);
}

function assertAllAlive(r: Rig, producer?: EventProducer): void {
  r.temporal.assertAlive();
  r.gateway.assertAlive();
  r.worker.assertAlive();
  producer?.assertHealthy();
}

/** The worker bundles its workflows before it polls: ready once Temporal lists a poller from its pid. */
async function waitForWorkerPolling(r: Rig): Promise<void> {
  await waitUntil(
    async () => {
      assertAllAlive(r);
      const { pollers } = await r.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: r.taskQueue },
        taskQueueType: 2, // activity: the last kind of poller a worker starts
      });
      return pollers.some((p) => p.identity?.startsWith(`${r.worker.pid}@`));
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `the worker (pid ${r.worker.pid}) to poll its task queue` },
  );
}

async function subscribe(api: Api, receiver: ChaosReceiver, retrySchedule: string[], ordering = 'unordered'): Promise<string> {
  const res = await api('POST', '/v1/subscriptions', { tenantId: 'default', url: receiver.http.url('/hook'), eventTypes: [EVENT_TYPE], retrySchedule, timeoutMs: 5000, ordering });
  assert.equal(res.status, 201, `create subscription for ${receiver.name}: ${JSON.stringify(res.body)}`);
  return String(res.body.id);
}

const totalRequests = () => allReceivers.reduce((n, r) => n + r.requestCount, 0);
const inFlightAtSlow = () => receivers.slow.requestCount - receivers.slow.answeredCount();

/** Traffic that has to be flowing before a kill: events posted, requests received, one in flight at the slow receiver. */
interface MidStream {
  newRequests: number;
  requireInFlight: boolean;
}

/**
 * Lets the producer post another phase's events, waits until half of them are posted and the
 * receivers are busy, then kills -9 and recovers. The producer keeps posting through the fault.
 */
async function faultMidStream(r: Rig, producer: EventProducer, name: string, traffic: MidStream, kill: () => Promise<void>, recover: () => Promise<void>) {
  const requestsBefore = totalRequests();
  const postedAtLeast = producer.allow(EVENTS_PER_PHASE) - EVENTS_PER_PHASE / 2;
  await waitUntil(
    () => {
      assertAllAlive(r, producer);
      const busy = totalRequests() >= requestsBefore + traffic.newRequests && (!traffic.requireInFlight || inFlightAtSlow() > 0);
      return producer.posted >= postedAtLeast && busy;
    },
    { timeoutMs: 60_000, intervalMs: 20, what: `events and requests flowing before killing ${name}` },
  );
  say(`kill -9 ${name} (events posted ${producer.posted}, requests ${totalRequests()}, in flight at the slow receiver ${inFlightAtSlow()})`);
  const killedAt = Date.now();
  await kill();
  await recover();
  say(`${name} back after ${elapsed(killedAt)} (events posted ${producer.posted}, refused posts so far ${producer.retries})`);
}

const killWorker = (r: Rig, producer: EventProducer) =>
  faultMidStream(r, producer, 'the worker', { newRequests: 8, requireInFlight: true }, () => r.worker.kill9(), async () => {
    r.worker.start();
    await waitForWorkerPolling(r);
  });

const killTemporal = (r: Rig, producer: EventProducer) =>
  faultMidStream(r, producer, 'the Temporal dev server', { newRequests: 8, requireInFlight: true }, () => r.temporal.kill9(), async () => {
    await postsWhileDown(producer, 'Temporal');
    r.temporal.start(); // same port, same database file
    await waitForTemporal(r.temporal, r.temporalAddress);
    await waitForWorkerPolling(r); // the surviving worker reconnects by itself
  });

/** Keeps a process down until the producer has had two posts answered meanwhile, so the outage is seen by a client. */
async function postsWhileDown(producer: EventProducer, what: string): Promise<void> {
  const answeredAtKill = producer.answered;
  // The kill may have come when this phase's events were nearly all posted: two more keep the
  // producer posting through the outage, whatever was left.
  producer.allow(2);
  await waitUntil(
    () => {
      producer.assertHealthy();
      return producer.answered >= answeredAtKill + 2;
    },
    { timeoutMs: 30_000, what: `two posts answered while ${what} is down` },
  );
  say(`${producer.answered - answeredAtKill} posts answered while ${what} was down (last: ${producer.lastAnswer})`);
}

const killGateway = (r: Rig, producer: EventProducer) =>
  faultMidStream(r, producer, 'the gateway', { newRequests: 8, requireInFlight: false }, () => r.gateway.kill9(), async () => {
    r.gateway.start(); // same port: the producer and the confirmation URLs keep their address
    await waitForGateway(r.gateway, r.gatewayUrl);
  });

/**
 * Fault 4: the healed receiver's deliveries have all failed for good; it now answers 200, a bulk
 * retry is posted and the gateway is killed -9 right after its 202. The retry runs as a workflow,
 * so the gateway's death must not matter.
 */
async function bulkRetryThenKillGateway(r: Rig, subscriptionId: string, eventCount: number) {
  await waitUntil(
    async () => {
      assertAllAlive(r);
      const rows = await r.db.selectFrom('deliveries').select('status').where('subscription_id', '=', subscriptionId).execute();
      return rows.length === eventCount && rows.every((d) => d.status === 'failed');
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `all ${eventCount} deliveries to the healed receiver to fail for good` },
  );
  receivers.healed.policy = alwaysOk;
  say(`all ${eventCount} deliveries to the healed receiver failed; it answers 200 now; posting the bulk retry`);
  const postedAt = Date.now();
  // 202 comes at once by contract; the generous timeout only keeps a slow answer from hiding what it says.
  const res = await r.api('POST', '/v1/deliveries/retry', { subscriptionId, status: 'failed', limit: 1000 }, 60_000);
  say(`bulk retry answered ${res.status} after ${elapsed(postedAt)}`);
  const killedAt = Date.now();
  await r.gateway.kill9();
  say(`gateway killed -9 right after the bulk retry's answer: ${JSON.stringify(res.body).slice(0, 300)}`);
  r.gateway.start();
  await waitForGateway(r.gateway, r.gatewayUrl);
  say(`gateway back after ${elapsed(killedAt)}`);
  return { killedAt, status: res.status, retryId: typeof res.body.id === 'string' ? res.body.id : undefined };
}

/**
 * Polls until every delivery converged, within the bound counted from the last fault, then checks
 * the bulk retry job. Returns what is still wrong and when the deliveries converged.
 */
async function awaitConvergence(r: Rig, world: ChaosWorld, lastFaultAt: number): Promise<{ problems: string[]; afterMs?: number }> {
  const bound = () => ({ timeoutMs: Math.max(0, CONVERGENCE_BOUND_MS - (Date.now() - lastFaultAt)), intervalMs: 500 });
  try {
    await waitUntil(async () => {
      assertAllAlive(r);
      return (await deliveryProblems(world)).length === 0;
    }, { ...bound(), what: 'every delivery to converge' });
  } catch (err) {
    return { problems: [(err as Error).message, ...(await deliveryProblems(world)), ...(await bulkRetryProblems(world))] };
  }
  const afterMs = Date.now() - lastFaultAt;
  // Without a job id there is nothing to wait for.
  if (world.bulkRetryId === undefined) return { problems: await bulkRetryProblems(world), afterMs };
  const jobDone = await waitUntil(async () => (await bulkRetryProblems(world)).length === 0, { ...bound(), what: 'the bulk retry job to complete' }).then(
    () => [],
    async (err: Error) => [err.message, ...(await bulkRetryProblems(world))],
  );
  return { problems: jobDone, afterMs };
}

async function subscribeAll(api: Api) {
  return [
    { receiver: receivers.steady, subscriptionId: await subscribe(api, receivers.steady, RETRY_SCHEDULE) },
    { receiver: receivers.flaky, subscriptionId: await subscribe(api, receivers.flaky, RETRY_SCHEDULE) },
    { receiver: receivers.slow, subscriptionId: await subscribe(api, receivers.slow, RETRY_SCHEDULE) },
    // One attempt only: its deliveries end failed, for the bulk retry of fault 4.
    { receiver: receivers.healed, subscriptionId: await subscribe(api, receivers.healed, ['0']) },
    { receiver: receivers.ordered, subscriptionId: await subscribe(api, receivers.ordered, RETRY_SCHEDULE, 'fifo'), fifo: true },
  ];
}

function printFigures(figuresOfRun: object, producer: EventProducer, convergedAfterMs: number | undefined): void {
  const convergence = convergedAfterMs === undefined ? `not within ${CONVERGENCE_BOUND_MS / 1000} s` : `${(convergedAfterMs / 1000).toFixed(1)} s`;
  const all = { ...figuresOfRun, refusedPostsRetried: producer.retries, convergenceAfterLastFault: convergence, runTime: elapsed() };
  console.log(`[chaos] figures ${JSON.stringify(all, null, 2)}`);
}

async function runChaos(r: Rig): Promise<void> {
  const subscribers = await subscribeAll(r.api);
  const producer = new EventProducer(r.api, EVENT_TYPE, `chaos_${Date.now().toString(36)}_`, Date.now() + 180_000);
  await killWorker(r, producer);
  await killTemporal(r, producer);
  await killGateway(r, producer);
  producer.allow(EVENTS_PER_PHASE);
  await producer.finish();
  say(`producer done: ${producer.posted} events, ${producer.retries} refused posts retried (last refusal: ${producer.lastRefusal || 'none'})`);

  const bulk = await bulkRetryThenKillGateway(r, subscribers[3]!.subscriptionId, producer.posted);
  const world: ChaosWorld = { db: r.db, client: r.client, api: r.api, eventIds: producer.postedIds, subscribers, bulkRetryId: bulk.retryId };
  // Without a 202 no bulk retry is running: waiting out the bound would only delay the verdict.
  const outcome =
    bulk.status === 202 ? await awaitConvergence(r, world, bulk.killedAt) : { problems: await deliveryProblems(world), afterMs: undefined };
  printFigures(await figures(world), producer, outcome.afterMs);
  assert.equal(bulk.status, 202, 'the bulk retry answers 202 at once');
  assert.deepEqual(outcome.problems, [], 'converged within the bound after the last fault');
}

test('deliveries converge to exactly one success each through kill -9 of worker, Temporal and gateway', { timeout: 360_000 }, async () => {
  const r = rig as Rig;
  try {
    await runChaos(r);
  } catch (err) {
    const processes = [r.temporal, r.gateway, r.worker].filter((p) => p !== undefined);
    console.log(`[chaos] last output of the processes:\n${processes.map((p) => p.output()).join('\n')}`);
    throw err;
  }
});
