import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { confirmationKey, signConfirmation } from '../../src/security/confirmation-token';
import { eventWorkflowId } from '../../src/contract';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';
import { freePort, type ManagedProcess, nodeService, waitForGateway } from '../chaos/processes';
import { testDatabase } from '../helpers/database';
import { TestReceiver } from '../helpers/receiver';
import { seedSubscriptions } from '../helpers/seed';
import { TEST_TOKEN } from '../helpers/stack';
import { startTemporal } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait';
import { type CollectedSpan, OtlpCollector } from './collector';

// A real stack with tracing on: the gateway and the worker as separate processes (each has its
// own global tracer provider), exporting to an OTLP collector in this process.

const QUERY_SECRET = 'query-secret-4711';
const HOOK = `/hook?token=${QUERY_SECRET}`;
const SERVER = 2;
const CLIENT = 3;
const WORKER = 'webhook-relay-worker';
const GATEWAY = 'webhook-relay-gateway';
/** Above this many subscribers an event fans out through shard workflows (README.md, under the flow diagram). */
const SHARD_SIZE = 250;

const collector = new OtlpCollector();
/** The first attempt at the one subscriber's path fails, so its delivery takes two. */
const receiver = new TestReceiver((req, nth) => (req.path === HOOK && nth === 1 ? { status: 503 } : { status: 200 }));
let temporal: TestWorkflowEnvironment | undefined;
let gateway: ManagedProcess | undefined;
let worker: ManagedProcess | undefined;
let gatewayUrl = '';
let dataDir = '';
let databaseUrl = '';
/** The environment both services start with. */
let serviceEnv: Record<string, string> = {};
let dropDatabase: (() => Promise<void>) | undefined;

before(async () => {
  await Promise.all([collector.start(), receiver.start()]);
  temporal = await startTemporal();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-tracing-'));
  const database = await testDatabase(dataDir);
  dropDatabase = database.drop;
  databaseUrl = database.url;
  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  const env = {
    API_TOKEN: TEST_TOKEN,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TASK_QUEUE: `tracing-${process.pid}`,
    PORT: String(port),
    PUBLIC_URL: gatewayUrl,
    ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
    GATEWAY_METRICS_PORT: 'off',
    WORKER_METRICS_PORT: 'off',
    WORKER_SDK_METRICS_PORT: 'off',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_SERVICE_NAME: '',
    // The SDK's own setting: export every 200 ms instead of every 5 s, so the test waits less.
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  serviceEnv = env;
  gateway = nodeService('gateway', 'src/gateway/main.ts', env);
  gateway.start();
  await waitForGateway(gateway, gatewayUrl);
  worker = nodeService('worker', 'src/worker/main.ts', env);
  worker.start();
});

after(async () => {
  await Promise.all([gateway?.kill9(), worker?.kill9()]);
  await Promise.all([collector.stop(), receiver.stop()]);
  await temporal?.teardown();
  await dropDatabase?.();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gatewayUrl}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The names from a span up to its trace's root, following parent links. */
function lineage(trace: CollectedSpan[], span: CollectedSpan): string[] {
  const names = [span.name];
  for (let s = span; s.parentSpanId !== undefined; ) {
    const parent = trace.find((p) => p.spanId === s.parentSpanId);
    if (!parent) return [...names, `<missing parent ${s.parentSpanId}>`];
    names.push(parent.name);
    s = parent;
  }
  return names;
}

function alive(): void {
  gateway?.assertAlive();
  worker?.assertAlive();
}

/** A tree of the trace, for a failure message. */
function drawTree(trace: CollectedSpan[]): string {
  const lines: string[] = [];
  const walk = (parentId: string | undefined, depth: number) => {
    for (const s of trace.filter((c) => c.parentSpanId === parentId)) {
      lines.push(`${'  '.repeat(depth)}${s.name} [${s.service}]`);
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** The spans of the trace an event's workflow start belongs to, once `complete` holds for them. */
async function traceOfEvent(eventId: string, complete: (trace: CollectedSpan[]) => boolean, timeoutMs = 90_000): Promise<CollectedSpan[]> {
  return waitUntil(
    () => {
      alive();
      const start = collector.spans.find((s) => s.name === 'StartWorkflow:eventWorkflow' && s.attributes.temporalWorkflowId === eventWorkflowId(eventId));
      const trace = start ? collector.trace(start.traceId) : [];
      return trace.length > 0 && complete(trace) && trace;
    },
    { timeoutMs, intervalMs: 100, what: `the trace of event ${eventId} to be exported` },
  );
}

const named = (trace: CollectedSpan[], name: string) => trace.filter((s) => s.name === name);
const webhookRequests = (trace: CollectedSpan[]) => trace.filter((s) => s.kind === CLIENT && s.service === WORKER);

async function postEvent(type: string): Promise<string> {
  const posted = await api('POST', '/v1/events', { tenantId: 'default', type, data: { order: 1 } });
  assert.equal(posted.status, 202, JSON.stringify(posted.body));
  return String(posted.body.id);
}

/**
 * An attempt's activity: `deliver`, or whichever activity of the delivery workflow's that sends (a
 * first attempt may run in its own, local, activity), as `RunActivity:deliver*`.
 */
const normalize = (names: string[]) => names.map((n) => n.replace(/^(Run|Start)Activity:deliver\w*$/, '$1Activity:deliver*'));
const isAttemptActivity = (s: CollectedSpan) => /^RunActivity:deliver\w*$/.test(s.name);

/** From an attempt's HTTP request up to the gateway's request, for an event without shards. */
const ATTEMPT_LINEAGE = [
  'POST',
  'RunActivity:deliver*',
  'StartActivity:deliver*',
  'RunWorkflow:deliveryWorkflow',
  'StartChildWorkflow:deliveryWorkflow',
  'RunWorkflow:eventWorkflow',
  'StartWorkflow:eventWorkflow',
  'POST /v1/events',
];

let subscriptionSecret = '';
/** A custom header's value: sent to the receiver on every attempt, never an attribute of any span. */
const HEADER_SECRET = 'rcv-header-secret-5e1f';

test('one trace follows an event from POST /v1/events through its workflows to each attempt\'s HTTP request', { timeout: 180_000 }, async () => {
  const sub = await api('POST', '/v1/subscriptions', { tenantId: 'default', url: receiver.url(HOOK), eventTypes: ['order.created'], retrySchedule: ['0', '100ms'], headers: { 'X-Api-Key': HEADER_SECRET } });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  subscriptionSecret = String(sub.body.secret);
  const eventId = await postEvent('order.created');
  const trace = await traceOfEvent(eventId, (t) => named(t, 'RunWorkflow:eventWorkflow').length === 1 && webhookRequests(t).length === 2);
  const tree = drawTree(trace);

  // The root: the gateway's HTTP server span, named by its route.
  const roots = trace.filter((s) => s.parentSpanId === undefined);
  assert.deepEqual(roots.map((s) => [s.name, s.kind, s.service]), [['POST /v1/events', SERVER, GATEWAY]], tree);
  // Each attempt (two: the first got a 503) is its own RunActivity, under the StartActivity that
  // scheduled it (a retry of the same activity shares it), and its undici request is a child of that.
  const requests = webhookRequests(trace);
  for (const request of requests) {
    const names = lineage(trace, request);
    assert.deepEqual(normalize(names), ATTEMPT_LINEAGE, tree);
    assert.equal(names[2], names[1]!.replace('Run', 'Start'), tree);
  }
  assert.equal(trace.filter(isAttemptActivity).length, 2, tree);
  assert.deepEqual(requests.map((r) => r.attributes['http.response.status_code']).sort(), [200, 503]);
  assert.deepEqual(lineage(trace, named(trace, 'RunActivity:recordFanOut')[0]!).slice(1), ['StartActivity:recordFanOut', ...ATTEMPT_LINEAGE.slice(5)], tree);

  // The receiver saw the trace: each attempt carried a traceparent naming its own request span.
  const received = receiver.to(HOOK);
  assert.equal(received.length, 2);
  const parents = received.map((r) => String(r.headers.traceparent).split('-'));
  for (const [version, traceId, spanId, flags] of parents) {
    assert.equal(version, '00');
    assert.equal(traceId, trace[0]!.traceId);
    assert.equal(flags, '01');
    assert.ok(requests.some((r) => r.spanId === spanId), `traceparent span ${spanId} is one of the request spans`);
  }
  assert.notEqual(parents[0]![2], parents[1]![2]);
});

test('no secret is exported: receiver URLs lose their query string, confirmation URLs their token, no header value becomes an attribute', { timeout: 60_000 }, async () => {
  assert.ok(subscriptionSecret.startsWith('whsec_'), 'runs after the trace test');
  // An API request with a query string, to see the server span's URL attributes cut too.
  const listed = await api('GET', `/v1/subscriptions?tenantId=default&cursor=${QUERY_SECRET}`);
  const listSpan = await waitUntil(() => collector.spans.find((s) => s.name === 'GET /v1/subscriptions'), {
    timeoutMs: 30_000,
    what: `the span of GET /v1/subscriptions (answered ${listed.status})`,
  });
  assert.equal(listSpan.attributes['http.target'], '/v1/subscriptions');
  assert.equal(listSpan.attributes['http.url'], `${gatewayUrl}/v1/subscriptions`);
  // A confirmation URL's token is a capability: its server span keeps the route, never the token.
  const confirmToken = signConfirmation({ deliveryId: 'dlv_traced', attempt: 1, expiresAt: Date.now() + 60_000 }, confirmationKey(TEST_TOKEN));
  const confirmed = await fetch(`${gatewayUrl}/v1/confirmations/${confirmToken}`, { method: 'POST' });
  const confirmSpan = await waitUntil(() => collector.spans.find((s) => s.name === 'POST /v1/confirmations/:token'), {
    timeoutMs: 30_000,
    what: `the span of POST /v1/confirmations (answered ${confirmed.status})`,
  });
  assert.equal(confirmSpan.attributes['http.target'], '/v1/confirmations/[redacted]');
  assert.equal(confirmSpan.attributes['http.url'], `${gatewayUrl}/v1/confirmations/[redacted]`);
  for (const request of collector.spans.filter((s) => s.kind === CLIENT)) {
    assert.equal(request.attributes['url.full'], receiver.url('/hook'));
    assert.equal(request.attributes['url.query'], undefined);
  }
  const exported = collector.bodies.join('\n');
  const signatures = receiver.requests.map((r) => String(r.headers['webhook-signature']));
  assert.ok(signatures.length > 0);
  assert.ok(receiver.to(HOOK).every((r) => r.headers['x-api-key'] === HEADER_SECRET), 'the custom header was sent');
  const tokenParts = confirmToken.split('.');
  for (const secret of [QUERY_SECRET, HEADER_SECRET, TEST_TOKEN, subscriptionSecret, subscriptionSecret.slice('whsec_'.length), ...signatures, ...tokenParts]) {
    assert.ok(!exported.includes(secret), `exported spans contain ${secret}`);
  }
  for (const key of collector.spans.flatMap((s) => Object.keys(s.attributes))) {
    assert.ok(!/header|authorization|signature/i.test(key), `attribute ${key}`);
  }
  assert.deepEqual([...collector.contentTypes], ['application/json'], 'the 1.x exporter sends OTLP/JSON');
});

test(`an event with more than ${SHARD_SIZE} subscribers: the trace goes through its fan-out shards`, { timeout: 300_000 }, async () => {
  const ledger = new Ledger(await openDatabase(databaseUrl));
  try {
    await seedSubscriptions(ledger, SHARD_SIZE + 1, { url: receiver.url('/fan'), eventTypes: ['shard.test'] });
  } finally {
    await ledger.db.destroy();
  }
  const eventId = await postEvent('shard.test');
  const trace = await traceOfEvent(eventId, (t) => named(t, 'RunWorkflow:eventWorkflow').length === 1 && webhookRequests(t).length === SHARD_SIZE + 1, 240_000);
  const tree = () => drawTree(trace).slice(0, 4000);
  assert.equal(named(trace, 'StartChildWorkflow:fanOutShardWorkflow').length, 2, tree());
  assert.equal(named(trace, 'RunWorkflow:fanOutShardWorkflow').length, 2, tree());
  const throughShard = [
    ...ATTEMPT_LINEAGE.slice(0, 5),
    'RunWorkflow:fanOutShardWorkflow',
    'StartChildWorkflow:fanOutShardWorkflow',
    ...ATTEMPT_LINEAGE.slice(5),
  ];
  for (const request of webhookRequests(trace)) assert.deepEqual(normalize(lineage(trace, request)), throughShard, tree());
  assert.equal(receiver.to('/fan').length, SHARD_SIZE + 1);
});

test('a gateway stopped with SIGTERM exports the spans it still holds', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { NODE_TEST_CONTEXT: _testContext, ...inherited } = process.env;
  // Batches every 10 minutes: only the shutdown's flush can export the span in time.
  const env = { ...inherited, ...serviceEnv, PORT: String(port), PUBLIC_URL: url, OTEL_BSP_SCHEDULE_DELAY: '600000' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/gateway/main.ts'], { cwd: path.resolve(__dirname, '..', '..'), env, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitUntil(async () => (await fetch(`${url}/v1/subscriptions/sub_none`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status === 404, {
      timeoutMs: 30_000,
      what: 'the second gateway to answer',
    });
    const ours = () => collector.spans.filter((s) => s.name === 'GET /v1/subscriptions/:id' && s.attributes['net.host.port'] === port);
    assert.deepEqual(ours(), [], 'nothing exported before the stop');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(ours().length, 1, `the span of the request to :${port} was exported at the stop`);
  } finally {
    child.kill('SIGKILL');
  }
});
