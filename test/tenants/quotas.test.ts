import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { createApp } from '../../src/gateway/app';
import { createGatewayMetrics, type GatewayMetrics, METRIC } from '../../src/metrics';
import { createLogger } from '../../src/core/logger';
import type { TenantLimitsInput } from '../../src/model';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';
import { waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { type ApiResponse, type Stack, useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Tenant callers' quotas (issue 17): every limit is a 429 naming it, with Retry-After, that writes
// nothing; the operator is exempt; two gateways on one ledger share each count.

const receiver = new TestReceiver((req) => (req.path.startsWith('/fail') ? { status: 500 } : { status: 200 }));
const stack = useStack({ setup: startSecondGateway }, receiver);

/** A second gateway process, as another replica behind the load balancer: its own app and ledger pool. */
let second: { url: string; server: http.Server; ledger: Ledger; metrics: GatewayMetrics } | undefined;

async function startSecondGateway(s: Stack): Promise<void> {
  const ledger = new Ledger(await openDatabase(s.config.DATABASE_URL));
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  const server = http.createServer(createApp({ config: s.config, ledger, client: s.env.client, logger: createLogger('test', 'silent'), metrics }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  second = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, ledger, metrics };
}

after(async () => {
  second?.server.closeAllConnections();
  await new Promise<void>((resolve) => (second ? second.server.close(() => resolve()) : resolve()));
  await second?.ledger.db.destroy().catch(() => {});
});

/** How a tenant's caller authenticates: a key, or a portal session (cookie, and CSRF token on writes). */
type Caller = Record<string, string>;
const gateways = () => [stack.gatewayUrl, second!.url];

async function callAt(base: string, caller: Caller, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...caller, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A tenant with these limits and a key. */
async function tenantWithKey(id: string, limits: TenantLimitsInput): Promise<Caller> {
  assert.ok([200, 201].includes((await stack.api('PUT', `/v1/tenants/${id}`, { name: id, limits })).status));
  const key = (await stack.api('POST', `/v1/tenants/${id}/keys`, {})).body.key as string;
  return { authorization: `Bearer ${key}` };
}

/** A portal session of the tenant, opened as the portal's login page does. */
async function portalSession(id: string): Promise<Caller> {
  const link = (await stack.api('POST', `/v1/tenants/${id}/portal-sessions`, {})).body.url as string;
  const token = new URL(link).hash.replace('#token=', '');
  const opened = await fetch(`${stack.gatewayUrl}/portal/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const { csrfToken } = (await opened.json()) as { csrfToken: string };
  return { cookie: (opened.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': csrfToken };
}

const setLimits = async (id: string, limits: TenantLimitsInput) => assert.equal((await stack.api('PUT', `/v1/tenants/${id}`, { name: id, limits })).status, 200);

/** A 429 for `limit`: problem+json naming it (in `limit` and in `errors`), with a Retry-After of 1 to `maxRetryAfter` s. */
function assertQuota(res: ApiResponse, limit: string, maxRetryAfter: number): void {
  assert.equal(res.status, 429, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.limit, limit);
  assert.deepEqual((res.body.errors as { in: string; field: string }[]).map((e) => [e.in, e.field]), [['quota', `limits.${limit}`]]);
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxRetryAfter, `Retry-After ${res.headers.get('retry-after')}`);
}

const countRows = async (table: 'subscriptions' | 'tenant_jobs', tenantId: string, extra: 'not deleted' | 'all' = 'all') => {
  let query = stack.ledger.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).where('tenant_id', '=', tenantId);
  if (extra === 'not deleted' && table === 'subscriptions') query = query.where('deleted_at', 'is', null);
  return Number((await query.executeTakeFirstOrThrow()).n);
};

/** Resolves at the start of the next fixed window of `windowMs` (alignment, not synchronisation). */
const windowStart = (windowMs: number) => new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 2));

const newSubscription = (tag: string) => ({ url: receiver.url(`/ok/${tag}`), eventTypes: ['q.*'] });

test('requestsPerSecond: a window holds N requests of the tenant, across its keys, sessions and two gateways; the rest are 429 and write nothing', async () => {
  const N = 5;
  const key = await tenantWithKey('rate', { requestsPerSecond: N });
  const session = await portalSession('rate');
  let burst: ApiResponse[] = [];
  let refusedBySecond = 0;
  // 2N creates sent at once at a window's start; a burst that ran over into the next window is sent again.
  for (let round = 0; round < 3; round++) {
    await windowStart(1000);
    const window = Math.floor(Date.now() / 1000);
    burst = await Promise.all(Array.from({ length: 2 * N }, (_, i) => callAt(gateways()[i % 2]!, i % 4 < 2 ? key : session, 'POST', '/v1/subscriptions', newSubscription(`rate${i}`))));
    refusedBySecond += burst.filter((r, i) => i % 2 === 1 && r.status === 429).length;
    if (Math.floor(Date.now() / 1000) === window) break;
  }
  const created = burst.filter((r) => r.status === 201).length;
  assert.equal(created, N, burst.map((r) => r.status).join(' '));
  for (const refused of burst.filter((r) => r.status !== 201)) assertQuota(refused, 'requestsPerSecond', 1);
  assert.equal(await countRows('subscriptions', 'rate'), N, 'a refused request created nothing');
  // Each gateway counts the refusals it answered (the odd-numbered requests went to the second).
  const counted = (await second!.metrics.registry.getSingleMetric(METRIC.quotaRefusals)!.get()).values.find((v) => v.labels.limit === 'requestsPerSecond');
  assert.equal(counted?.value, refusedBySecond, 'webhook_quota_refusals_total{limit="requestsPerSecond"}');
  // The next window takes requests again.
  await windowStart(1000);
  assert.equal((await callAt(second!.url, session, 'GET', '/v1/subscriptions')).status, 200);
});

test('the operator token is exempt from every limit of the tenant', async () => {
  await tenantWithKey('exempt', { requestsPerSecond: 1, subscriptions: 0, testEventsPerMinute: 0, concurrentJobs: 0 });
  const reads = await Promise.all(Array.from({ length: 10 }, () => stack.api('GET', '/v1/subscriptions?tenantId=exempt')));
  assert.deepEqual(new Set(reads.map((r) => r.status)), new Set([200]));
  const sub = await stack.api('POST', '/v1/subscriptions', { tenantId: 'exempt', ...newSubscription('exempt') });
  assert.equal(sub.status, 201);
  assert.equal((await stack.api('POST', `/v1/subscriptions/${sub.body.id as string}/test`, {})).status, 202);
  assert.equal((await stack.api('POST', '/v1/deliveries/retry', { tenantId: 'exempt', limit: 10_000 })).status, 202);
  assert.equal((await stack.api('POST', `/v1/subscriptions/${sub.body.id as string}/replay`, { since: '2026-01-01T00:00:00Z' })).status, 202);
});

test('subscriptions: concurrent creates through two gateways stop at the limit exactly; lowering it keeps the existing ones', async () => {
  const key = await tenantWithKey('subs', { subscriptions: 3 });
  const session = await portalSession('subs');
  const creates = await Promise.all(Array.from({ length: 6 }, (_, i) => callAt(gateways()[i % 2]!, i < 3 ? key : session, 'POST', '/v1/subscriptions', newSubscription(`subs${i}`))));
  assert.deepEqual(creates.map((r) => r.status).sort(), [201, 201, 201, 429, 429, 429]);
  for (const refused of creates.filter((r) => r.status === 429)) assertQuota(refused, 'subscriptions', 60);
  assert.equal(await countRows('subscriptions', 'subs'), 3, 'no refused create wrote a row');

  // A deleted subscription frees its place.
  const first = creates.find((r) => r.status === 201)!.body.id as string;
  assert.equal((await callAt(stack.gatewayUrl, key, 'DELETE', `/v1/subscriptions/${first}`)).status, 204);
  assert.equal((await callAt(second!.url, key, 'POST', '/v1/subscriptions', newSubscription('subs-again'))).status, 201);

  await setLimits('subs', { subscriptions: 1 });
  assertQuota(await callAt(stack.gatewayUrl, key, 'POST', '/v1/subscriptions', newSubscription('subs-lowered')), 'subscriptions', 60);
  const listed = (await callAt(stack.gatewayUrl, key, 'GET', '/v1/subscriptions')).body.data as { status: string }[];
  assert.deepEqual(listed.map((s) => s.status), ['active', 'active', 'active'], 'the three above the new limit stay as they were');
});

test('testEventsPerMinute: a minute holds N test events of the tenant across two gateways; the next is 429 and sends nothing', async () => {
  const key = await tenantWithKey('probe', { testEventsPerMinute: 2 });
  const sub = (await stack.api('POST', '/v1/subscriptions', { tenantId: 'probe', ...newSubscription('probe') })).body.id as string;
  // Too close to the minute's end, the burst could straddle two windows: start it in the next one.
  if (60_000 - (Date.now() % 60_000) < 3000) await windowStart(60_000);
  const sent = await Promise.all([0, 1, 2].map((i) => callAt(gateways()[i % 2]!, key, 'POST', `/v1/subscriptions/${sub}/test`, {})));
  assert.deepEqual(sent.map((r) => r.status).sort(), [202, 202, 429]);
  assertQuota(sent.find((r) => r.status === 429)!, 'testEventsPerMinute', 60);
  const events = await stack.ledger.db.selectFrom('events').select('id').where('target_subscription_id', '=', sub).execute();
  assert.equal(events.length, 2, 'the refused test event was not recorded');

  await setLimits('probe', { testEventsPerMinute: 0 });
  assertQuota(await callAt(second!.url, key, 'POST', `/v1/subscriptions/${sub}/test`, {}), 'testEventsPerMinute', 60);
});

test('concurrentJobs: a second bulk retry while the first runs is 429; lowering the limit leaves the running one alone; once it ends a new one starts', async () => {
  const key = await tenantWithKey('jobs', {});
  const sub = (await stack.api('POST', '/v1/subscriptions', { tenantId: 'jobs', url: receiver.url('/fail/jobs'), eventTypes: ['q.*'], retrySchedule: ['0'] })).body.id as string;
  const event = await stack.api('POST', '/v1/events', { tenantId: 'jobs', type: 'q.failed', data: {} });
  await waitForEventDone(stack, event.body.id as string, 1);
  // Without a worker the first job's workflow stays running for as long as the test needs.
  await stack.stopWorker();
  let workerBack = false;
  try {
    const bulk = { subscriptionId: sub, status: 'failed', limit: 10_000 };
    const firstJob = await callAt(stack.gatewayUrl, key, 'POST', '/v1/deliveries/retry', bulk);
    assert.equal(firstJob.status, 202, JSON.stringify(firstJob.body));
    assertQuota(await callAt(second!.url, key, 'POST', '/v1/deliveries/retry', bulk), 'concurrentJobs', 5);
    assert.equal(await countRows('tenant_jobs', 'jobs'), 1, 'the refused job was not recorded');
    const operatorJob = await stack.api('POST', '/v1/deliveries/retry', { tenantId: 'jobs', limit: 10_000 });
    assert.equal(operatorJob.status, 202, "the operator's job is counted, not refused");
    await setLimits('jobs', { concurrentJobs: 0 });
    assertQuota(await callAt(stack.gatewayUrl, key, 'POST', '/v1/deliveries/retry', bulk), 'concurrentJobs', 60);
    await stack.startWorker();
    workerBack = true;
    const ended = (id: string) => waitUntil(async () => {
      const job = await callAt(stack.gatewayUrl, key, 'GET', `/v1/retries/${id}`);
      return job.body.status !== 'running' && job.body;
    });
    assert.equal((await ended(firstJob.body.id as string)).status, 'completed', 'the running job went on under the lowered limit');
    assert.equal((await ended(operatorJob.body.id as string)).status, 'completed');
    await setLimits('jobs', { concurrentJobs: 1 });
    const next = await callAt(second!.url, key, 'POST', '/v1/deliveries/retry', bulk);
    assert.equal(next.status, 202, JSON.stringify(next.body));
    const rows = await stack.ledger.db.selectFrom('tenant_jobs').selectAll().where('tenant_id', '=', 'jobs').execute();
    assert.equal(rows.filter((r) => r.ended_at === null).length, 1, 'the closed jobs were marked ended, the new one counts');
  } finally {
    if (!workerBack) await stack.startWorker();
  }
});

test("concurrentJobs: a job whose workflow never started stops counting after a grace period; a fresh one still counts", async () => {
  const key = await tenantWithKey('crashed', {});
  const longAgo = new Date(Date.now() - 120_000).toISOString();
  await stack.ledger.db.insertInto('tenant_jobs').values({ workflow_id: 'bulk-retry:rty_lost_with_its_gateway', tenant_id: 'crashed', kind: 'bulk_retry', started_at: longAgo, ended_at: null }).execute();
  const job = await callAt(stack.gatewayUrl, key, 'POST', '/v1/deliveries/retry', { limit: 10 });
  assert.equal(job.status, 202, JSON.stringify(job.body));
  const lost = await stack.ledger.db.selectFrom('tenant_jobs').select('ended_at').where('workflow_id', '=', 'bulk-retry:rty_lost_with_its_gateway').executeTakeFirstOrThrow();
  assert.ok(lost.ended_at, 'the lost job was marked ended');

  await waitUntil(async () => (await callAt(stack.gatewayUrl, key, 'GET', `/v1/retries/${job.body.id as string}`)).body.status === 'completed');
  await stack.ledger.db.insertInto('tenant_jobs').values({ workflow_id: 'bulk-retry:rty_starting_now', tenant_id: 'crashed', kind: 'bulk_retry', started_at: new Date().toISOString(), ended_at: null }).execute();
  assertQuota(await callAt(stack.gatewayUrl, key, 'POST', '/v1/deliveries/retry', { limit: 10 }), 'concurrentJobs', 60);
});

test('a limit or fairness weight out of range is a 400 naming the field, and changes nothing', async () => {
  await tenantWithKey('ranges', { requestsPerSecond: 7 });
  for (const [body, field] of [
    [{ limits: { requestsPerSecond: 0 } }, 'limits.requestsPerSecond'],
    [{ limits: { requestsPerSecond: 10_001 } }, 'limits.requestsPerSecond'],
    [{ limits: { subscriptions: -1 } }, 'limits.subscriptions'],
    [{ limits: { concurrentJobs: 1.5 } }, 'limits.concurrentJobs'],
    [{ limits: { burst: 1 } }, 'limits.burst'],
    [{ fairnessWeight: 0 }, 'fairnessWeight'],
    [{ fairnessWeight: 1001 }, 'fairnessWeight'],
  ] as const) {
    const res = await stack.api('PUT', '/v1/tenants/ranges', { name: 'renamed', ...body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.ok((res.body.errors as { field: string }[]).some((e) => e.field === field), `${JSON.stringify(res.body.errors)} names ${field}`);
  }
  const tenant = (await stack.api('GET', '/v1/tenants/ranges')).body;
  assert.equal(tenant.name, 'ranges');
  assert.deepEqual(tenant.limits, { requestsPerSecond: 7, subscriptions: 50, testEventsPerMinute: 10, concurrentJobs: 1, attemptsInFlight: 50 });
});
