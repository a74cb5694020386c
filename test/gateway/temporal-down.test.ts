import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { NativeConnection } from '@temporalio/worker';
import { type Config, parseConfig } from '../../src/core/config';
import { createApp, createDispatcher } from '../../src/gateway/app';
import { createLogger } from '../../src/core/logger';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';
import { connectClient } from '../../src/temporal/client';
import { createWorker } from '../../src/worker/create-worker';
import { GiveUp } from '../../scripts/lib/wait';
import { testDatabase } from '../helpers/database';
import { freePort, startDevServer, stopDevServer } from '../helpers/dev-server-process';
import { TestReceiver } from '../helpers/receiver';
import { TEST_TOKEN } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { quietSdkLogs, testWorkflowBundle } from '../helpers/temporal';
import { killHard, METRICS_OFF } from '../helpers/worker-process';

// The gateway's own Temporal client (connectClient) against a real dev server that the tests pause,
// kill and start: what a route answers when Temporal is away, and how fast.
const root = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-temporal-down-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  // Every cleanup runs, whatever an earlier one threw: a server or process left behind would keep the run alive.
  const failures: unknown[] = [];
  for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch((err: unknown) => failures.push(err));
  fs.rmSync(dir, { recursive: true, force: true });
  if (failures.length > 0) throw new AggregateError(failures, 'cleanup failed');
});

const LIMIT_MS = 5_000;

interface Answer {
  status: number;
  type: string;
  text: string;
  ms: number;
}

async function timedFetch(url: string, method = 'GET', body?: unknown): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, ms: Math.round(performance.now() - started) };
}

/** An answer may say Temporal is unavailable, but not where it lives or what gRPC said. */
function assertNoInternals(what: string, answer: Answer, temporalPort: number): void {
  for (const leak of ['127.0.0.1', String(temporalPort), 'UNAVAILABLE', 'DEADLINE_EXCEEDED', 'ECONNREFUSED', 'gRPC', 'grpc', 'No connection', 'Resolution note']) {
    assert.ok(!answer.text.includes(leak), `${what} leaks "${leak}": ${answer.text}`);
  }
}

function assertUnavailable(what: string, answer: Answer, temporalPort: number): void {
  assert.ok(answer.ms < LIMIT_MS, `${what} took ${answer.ms} ms`);
  assert.equal(answer.status, 503, `${what}: ${answer.status} ${answer.text}`);
  assert.match(answer.type, /^application\/problem\+json/, what);
  assertNoInternals(what, answer, temporalPort);
}

/** The real app and the gateway's real Temporal client, listening on 127.0.0.1; log lines are kept. */
async function startGateway(temporalAddress: string, settings: Partial<Record<keyof Config, string>> = {}) {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const database = await testDatabase(fs.mkdtempSync(path.join(dir, 'ledger-')));
  cleanups.push(database.drop);
  const config = parseConfig({
    API_TOKEN: TEST_TOKEN,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporalAddress,
    TASK_QUEUE: `temporal-down-${process.pid}`,
    ALLOW_PRIVATE_NETWORKS: 'true',
    PUBLIC_URL: url,
    ...settings,
  });
  const logs: { level: number; msg: string }[] = [];
  const logger = createLogger('test', 'debug', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const ledger = new Ledger(await openDatabase(config.DATABASE_URL));
  cleanups.push(() => ledger.db.destroy());
  const client = await connectClient(config);
  cleanups.push(() => client.connection.close());
  // Stopped before the client closes (cleanups run last first): a start it retries after the test
  // would otherwise meet a closed channel.
  const dispatcher = createDispatcher({ config, ledger, client, logger });
  cleanups.push(() => dispatcher.stop(0));
  server.on('request', createApp({ config, ledger, client, logger, dispatcher }));
  return { url, config, ledger, logs };
}

/** A subscription that waits for confirmation and one whose only attempt fails, each with its delivery of one event. */
async function deliveriesOfOneEvent(gateway: Awaited<ReturnType<typeof startGateway>>, receiver: TestReceiver) {
  const post = async (p: string, body: unknown) => JSON.parse((await timedFetch(`${gateway.url}${p}`, 'POST', body)).text) as { id: string };
  const confirming = await post('/v1/subscriptions', {
    tenantId: 'default',
    url: receiver.url('/confirms'),
    eventTypes: ['order.*'],
    confirmation: { required: true, timeout: '10m' },
  });
  const failing = await post('/v1/subscriptions', { tenantId: 'default', url: receiver.url('/fails'), eventTypes: ['order.*'], retrySchedule: ['0'] });
  const event = await post('/v1/events', { tenantId: 'default', type: 'order.created', data: { orderId: 1 } });
  const deliveries = await waitUntil(
    async () => {
      const list = await gateway.ledger.deliveries.listForEvent(event.id);
      const of = (subscriptionId: string) => list.find((d) => d.subscriptionId === subscriptionId);
      const [waiting, failed] = [of(confirming.id), of(failing.id)];
      return waiting?.status === 'awaiting_confirmation' && failed?.status === 'failed' && { waiting, failed };
    },
    { timeoutMs: 60_000, what: 'one delivery awaiting confirmation and one failed' },
  );
  const confirmUrl = String(receiver.to('/confirms')[0]!.headers['webhook-confirm-url']);
  return { confirming, event, ...deliveries, confirmUrl };
}

/** An in-process worker, stopped while the server is still up (the tests then take the server away). */
async function startWorker(config: Config, ledger: Ledger) {
  quietSdkLogs();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({ config, connection, ledger, logger: createLogger('worker', 'silent'), workflowBundle: testWorkflowBundle() });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      worker.shutdown();
      await running;
      await connection.close();
    })();
    return stopped;
  };
  cleanups.push(stop);
  return { stop };
}

function pause(child: ChildProcess, signal: 'SIGSTOP' | 'SIGCONT'): void {
  assert.ok(child.kill(signal), `could not send ${signal} to the Temporal server`);
}

type Gateway = Awaited<ReturnType<typeof startGateway>>;
type EventDeliveries = Awaited<ReturnType<typeof deliveriesOfOneEvent>>;

/**
 * Hung: connected, but no answer. Only read-only routes, since a paused server carries out
 * requests once it resumes. Returns each route's answer time, after the server has resumed.
 */
async function whileHung(temporal: ChildProcess, gateway: Gateway, temporalPort: number): Promise<string[]> {
  pause(temporal, 'SIGSTOP');
  const hung = await Promise.all(
    ['/v1/replays/rpl_01HZZZZZZZZZZZZZZZZZZZZZZZ', '/v1/replays/rpl_01HZZZZZZZZZZZZZZZZZZZZZZZ/cancel', '/healthz'].map(async (p) => {
      const answer = await timedFetch(`${gateway.url}${p}`, p.endsWith('/cancel') ? 'POST' : 'GET');
      assertUnavailable(`hung: ${p}`, answer, temporalPort);
      return `${p} ${answer.ms} ms`;
    }),
  );
  pause(temporal, 'SIGCONT');
  await waitUntil(async () => (await timedFetch(`${gateway.url}/healthz`)).status === 200, { what: 'healthz 200 after the server resumed' });
  return hung;
}

/** With the server killed, every route that needs it answers 503 and the ledger is left as it was. */
async function routesWhileKilled(gateway: Gateway, temporalPort: number, { confirming, event, waiting, failed }: EventDeliveries): Promise<string[]> {
  const calls: [string, string, unknown?][] = [
    ['GET', '/v1/replays/rpl_01HZZZZZZZZZZZZZZZZZZZZZZZ'],
    ['POST', '/v1/replays/rpl_01HZZZZZZZZZZZZZZZZZZZZZZZ/cancel'],
    ['POST', `/v1/events/${event.id}/cancel`],
    ['POST', `/v1/deliveries/${waiting.id}/cancel`],
    ['POST', `/v1/deliveries/${failed.id}/retry`],
    ['POST', `/v1/subscriptions/${confirming.id}/replay`, { since: new Date(Date.now() - 3_600_000).toISOString() }],
  ];
  const timings: string[] = [];
  for (const [method, p, body] of calls) {
    const answer = await timedFetch(`${gateway.url}${p}`, method, body);
    assertUnavailable(`${method} ${p}`, answer, temporalPort);
    assert.match(JSON.parse(answer.text).detail, /Temporal/);
    timings.push(`${method} ${p.replace(/[^/]+_[0-9A-Z]{26}/g, ':id')} ${answer.ms} ms`);
  }
  // Nothing changed in the ledger: the failed retry put the delivery back as it was.
  assert.equal((await gateway.ledger.deliveries.get(failed.id))?.status, 'failed');
  assert.equal((await gateway.ledger.deliveries.get(waiting.id))?.status, 'awaiting_confirmation');
  return timings;
}

/** /healthz with the server killed: 503 naming Temporal, the ledger still ok. */
async function healthWhileKilled(gateway: Gateway, temporalPort: number): Promise<string> {
  const health = await timedFetch(`${gateway.url}/healthz`);
  assertUnavailable('GET /healthz', health, temporalPort);
  assert.deepEqual(JSON.parse(health.text), {
    type: 'about:blank',
    title: 'Service unavailable',
    status: 503,
    detail: 'Temporal is unavailable.',
    checks: { ledger: 'ok', temporal: 'unavailable' },
  });
  return `GET /healthz ${health.ms} ms`;
}

/**
 * The confirmation is the ledger's to record; the workflow learns of it from its timer if the
 * signal is lost, so the receiver hears it worked.
 */
async function confirmationWhileKilled(confirmUrl: string, temporalPort: number): Promise<string> {
  const confirmation = await timedFetch(confirmUrl, 'POST');
  assert.ok(confirmation.ms < LIMIT_MS, `confirmation took ${confirmation.ms} ms`);
  assert.equal(confirmation.status, 200, confirmation.text);
  assertNoInternals('confirmation', confirmation, temporalPort);
  return `POST /v1/confirmations/:token ${confirmation.ms} ms (200)`;
}

test('with the Temporal server hung or killed, every route that needs it answers 503 problem+json within 5 s', async (t) => {
  const temporalPort = await freePort();
  const temporal = await startDevServer(temporalPort);
  cleanups.push(() => stopDevServer(temporal, 'SIGKILL'));
  const gateway = await startGateway(`127.0.0.1:${temporalPort}`);
  const receiver = await new TestReceiver((req) => ({ status: req.path === '/fails' ? 500 : 202 })).start();
  cleanups.push(() => receiver.stop());
  const worker = await startWorker(gateway.config, gateway.ledger);

  const healthy = await timedFetch(`${gateway.url}/healthz`);
  assert.equal(healthy.status, 200);
  assert.deepEqual(JSON.parse(healthy.text), { status: 'ok', checks: { ledger: 'ok', temporal: 'ok' } });
  const deliveries = await deliveriesOfOneEvent(gateway, receiver);
  await worker.stop();

  t.diagnostic(`Temporal hung: ${(await whileHung(temporal, gateway, temporalPort)).join(', ')}`);

  await stopDevServer(temporal, 'SIGKILL');
  const timings = await routesWhileKilled(gateway, temporalPort, deliveries);
  timings.push(await healthWhileKilled(gateway, temporalPort));
  timings.push(await confirmationWhileKilled(deliveries.confirmUrl, temporalPort));
  t.diagnostic(`Temporal killed: ${timings.join(', ')}`);

  assert.ok(gateway.logs.some((l) => l.level === 40 && l.msg === 'dependency unavailable'), 'a 503 is logged as a warning');
  assert.deepEqual(gateway.logs.filter((l) => l.level >= 50), [], 'nothing is logged as an error');
});

/** The real gateway entry point (`npm run gateway`) as a child process; its stdout lines are kept. */
function spawnGateway(env: Record<string, string>): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'gateway', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...METRICS_OFF, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  return { child, lines };
}

test('a gateway started while Temporal is down answers /healthz 503, then 200 once a server is up on that port', async (t) => {
  const [temporalPort, gatewayPort] = [await freePort(), await freePort()];
  const database = await testDatabase(fs.mkdtempSync(path.join(dir, 'ledger-')));
  cleanups.push(database.drop);
  const { child, lines } = spawnGateway({
    PORT: String(gatewayPort),
    API_TOKEN: TEST_TOKEN,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    LOG_LEVEL: 'warn',
  } satisfies Partial<Record<keyof Config, string>>);
  cleanups.push(() => killHard(child));
  const healthz = `http://127.0.0.1:${gatewayPort}/healthz`;

  const down = await waitUntil(
    () => {
      if (child.exitCode !== null) throw new GiveUp(`the gateway exited with ${child.exitCode}`);
      return timedFetch(healthz);
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'the gateway to listen' },
  );
  assertUnavailable('GET /healthz', down, temporalPort);
  assert.deepEqual(JSON.parse(down.text).checks, { ledger: 'ok', temporal: 'unavailable' });
  await waitUntil(() => lines.some((l) => /"level":40/.test(l) && /Temporal is unavailable/.test(l)), {
    timeoutMs: 10_000,
    what: 'the gateway to warn at start that Temporal is unavailable',
  });

  const temporal = await startDevServer(temporalPort);
  cleanups.push(() => stopDevServer(temporal, 'SIGKILL'));
  const serverUp = performance.now();
  const up = await waitUntil(
    async () => {
      const answer = await timedFetch(healthz);
      return answer.status === 200 && answer;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'healthz 200 once Temporal is up' },
  );
  assert.deepEqual(JSON.parse(up.text), { status: 'ok', checks: { ledger: 'ok', temporal: 'ok' } });
  t.diagnostic(`healthz while down ${down.ms} ms; 200 ${Math.round(performance.now() - serverUp)} ms after the server answered`);
});

test('an event posted while Temporal is down is accepted at once and delivered once it is back', async () => {
  const temporalPort = await freePort();
  const dbFile = path.join(dir, 'outage-temporal.sqlite');
  let temporal = await startDevServer(temporalPort, dbFile);
  cleanups.push(() => stopDevServer(temporal, 'SIGKILL'));
  const gateway = await startGateway(`127.0.0.1:${temporalPort}`, { RECONCILE_INTERVAL: '1s', RECONCILE_GRACE: '1s' });
  const receiver = await new TestReceiver(() => ({ status: 200 })).start();
  cleanups.push(() => receiver.stop());
  await startWorker(gateway.config, gateway.ledger);
  await timedFetch(`${gateway.url}/v1/subscriptions`, 'POST', { tenantId: 'default', url: receiver.url('/outage'), eventTypes: ['outage.*'] });

  await stopDevServer(temporal, 'SIGKILL');
  const posted = await timedFetch(`${gateway.url}/v1/events`, 'POST', { id: 'evt_during_outage', tenantId: 'default', type: 'outage.happened', data: {} });
  assert.ok(posted.ms < LIMIT_MS, `the post took ${posted.ms} ms`);
  assert.equal(posted.status, 202, posted.text);
  assert.equal(JSON.parse(posted.text).status, 'accepted');
  await waitUntil(() => gateway.logs.some((l) => l.level === 40 && /accepted events wait to be started/.test(l.msg)), { what: 'the gap logged as a warning' });

  temporal = await startDevServer(temporalPort, dbFile);
  await receiver.waitFor(() => receiver.to('/outage').length > 0, 90_000, 'the event to arrive after Temporal came back');
  const delivery = await waitUntil(async () => {
    const [d] = await gateway.ledger.deliveries.listForEvent('evt_during_outage');
    return d?.status === 'succeeded' && d;
  });
  assert.equal(delivery.attemptCount, 1);
  assert.equal(receiver.to('/outage')[0]!.headers['webhook-id'], 'evt_during_outage');
});
