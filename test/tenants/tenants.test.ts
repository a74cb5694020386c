import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryWorkflowId, eventWorkflowId } from '../../src/contract';
import { getEvent, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { useStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

// Receivers under /slow answer only after the test is over: their deliveries stay open.
const receiver = new TestReceiver((req) => (req.path.startsWith('/slow') ? 'hang' : { status: 200 }));
const stack = useStack({}, receiver);

async function putTenant(id: string, name = id) {
  return stack.api('PUT', `/v1/tenants/${id}`, { name, metadata: { plan: 'pro' } });
}

async function subscribe(tenantId: string, path: string, eventTypes = ['order.*']) {
  return stack.client.subscriptions.create({ tenantId, url: receiver.url(path), eventTypes });
}

const requestsTo = (path: string, eventId: string) => receiver.requests.filter((r) => r.path === path && r.headers['webhook-id'] === eventId);

test('PUT creates a tenant (201) and updates it (200); GET reads one and pages through them; unknown is 404', async () => {
  const created = await putTenant('t-crud', 'First name');
  assert.equal(created.status, 201);
  assert.deepEqual([created.body.id, created.body.name, created.body.metadata], ['t-crud', 'First name', { plan: 'pro' }]);
  const updated = await putTenant('t-crud', 'Second name');
  assert.equal(updated.status, 200);
  assert.equal((await stack.api('GET', '/v1/tenants/t-crud')).body.name, 'Second name');
  assert.equal((await stack.api('GET', '/v1/tenants/nobody')).status, 404);
  const listed = await stack.api('GET', '/v1/tenants?limit=100');
  const ids = (listed.body.data as { id: string }[]).map((t) => t.id);
  assert.ok(ids.includes('default') && ids.includes('t-crud'), ids.join());
  const bad = await stack.api('PUT', '/v1/tenants/t-bad', { name: '', metadata: { k: 5 } });
  assert.equal(bad.status, 400);
  assert.deepEqual((bad.body.errors as { field: string }[]).map((e) => e.field).sort(), ['metadata.k', 'name']);
});

test("an event reaches only its tenant's subscriptions; broadcast reaches every tenant; an unknown tenant is a 400", async () => {
  await putTenant('t-red');
  await putTenant('t-blue');
  await subscribe('t-red', '/red');
  await subscribe('t-blue', '/blue');
  const red = await stack.api('POST', '/v1/events', { tenantId: 't-red', type: 'order.created', data: { n: 1 } });
  assert.equal(red.status, 202);
  assert.equal(red.body.tenantId, 't-red');
  await waitForEventDone(stack, red.body.id as string, 1);
  assert.equal(requestsTo('/red', red.body.id as string).length, 1);
  assert.equal(requestsTo('/blue', red.body.id as string).length, 0, "another tenant's endpoint got nothing");

  const all = await stack.api('POST', '/v1/events', { broadcast: true, type: 'order.created', data: { n: 2 } });
  assert.equal(all.status, 202);
  assert.equal(all.body.tenantId, null);
  const deliveries = await waitForEventDone(stack, all.body.id as string, 2);
  assert.deepEqual(deliveries.map((d) => d.tenantId).sort(), ['t-blue', 't-red']);
  // docs/operating.md's filter for broadcast events (Inspecting in Temporal).
  const broadcasts = await waitUntil(async () => {
    const ids: string[] = [];
    for await (const wf of stack.env.client.workflow.list({ query: 'WorkflowType="eventWorkflow" AND WebhookTenantId IS NULL' })) ids.push(wf.workflowId);
    return ids.includes(eventWorkflowId(all.body.id as string)) && ids;
  }, { what: 'the broadcast event listed' });
  assert.ok(!broadcasts.includes(eventWorkflowId(red.body.id as string)));

  const unknown = await stack.api('POST', '/v1/events', { tenantId: 'nobody', type: 'order.created', data: {} });
  assert.equal(unknown.status, 400);
  assert.deepEqual((unknown.body.errors as { field: string }[]).map((e) => e.field), ['tenantId']);
  const both = await stack.api('POST', '/v1/events', { tenantId: 't-red', broadcast: true, type: 'order.created', data: {} });
  assert.deepEqual((both.body.errors as { field: string }[]).map((e) => e.field), ['broadcast']);
});

test('a subscription needs a tenant that exists when the operator creates it', async () => {
  const missing = await stack.api('POST', '/v1/subscriptions', { url: receiver.url('/x'), eventTypes: ['*'] });
  assert.equal(missing.status, 400);
  assert.deepEqual((missing.body.errors as { field: string }[]).map((e) => e.field), ['tenantId']);
  const unknown = await stack.api('POST', '/v1/subscriptions', { tenantId: 'nobody', url: receiver.url('/x'), eventTypes: ['*'] });
  assert.equal(unknown.status, 400);
});

test('event and delivery workflows carry WebhookTenantId, so the Web UI and CLI filter by tenant', async () => {
  await putTenant('t-search');
  const sub = await subscribe('t-search', '/search', ['search.me']);
  const posted = await stack.api('POST', '/v1/events', { tenantId: 't-search', type: 'search.me', data: {} });
  const eventId = posted.body.id as string;
  await waitForEventDone(stack, eventId, 1);
  const ids = await waitUntil(async () => {
    const found: string[] = [];
    for await (const wf of stack.env.client.workflow.list({ query: `WebhookTenantId = "t-search"` })) found.push(wf.workflowId);
    return found.length === 2 && found;
  }, { what: 'both workflows listed under the tenant' });
  assert.deepEqual(ids.sort(), [deliveryWorkflowId(eventId, sub.id), eventWorkflowId(eventId)].sort());
});

test('deleting a tenant disables its subscriptions, cancels its open deliveries through their workflows and hides it', async () => {
  await putTenant('t-gone');
  const sub = await subscribe('t-gone', '/slow/gone', ['gone.*']);
  const posted = await stack.api('POST', '/v1/events', { tenantId: 't-gone', type: 'gone.soon', data: {} });
  const eventId = posted.body.id as string;
  await waitUntil(async () => (await getEvent(stack, eventId)).deliveries[0]?.status === 'delivering', { what: 'the delivery sending' });

  const deleted = await stack.api('DELETE', '/v1/tenants/t-gone');
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  assert.equal(deleted.body.cancelledDeliveries, 1);
  const [delivery] = await waitForEventDone(stack, eventId, 1);
  assert.equal(delivery!.status, 'cancelled');
  const handle = stack.env.client.workflow.getHandle(deliveryWorkflowId(eventId, sub.id));
  const closedAs = await waitUntil(async () => {
    const status = (await handle.describe()).status.name;
    return status !== 'RUNNING' && status;
  }, { what: 'the delivery workflow to close' });
  assert.equal(closedAs, 'CANCELLED', 'ended by its workflow, not only in the ledger');
  const after = await stack.client.subscriptions.get(sub.id);
  assert.deepEqual([after.status, after.disabledReason], ['disabled', 'tenant deleted']);
  assert.equal((await stack.api('GET', '/v1/tenants/t-gone')).status, 404);
  assert.equal((await stack.api('POST', '/v1/events', { tenantId: 't-gone', type: 'gone.again', data: {} })).status, 400);
  // Deleting again finishes whatever a first call left (idempotent); an unknown tenant is 404.
  assert.equal((await stack.api('DELETE', '/v1/tenants/t-gone')).status, 200);
  assert.equal((await stack.api('DELETE', '/v1/tenants/never-was')).status, 404);
});
