import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../src/core/config';
import { createApp } from '../../src/gateway/app';
import { nonPublicHostReason } from '../../src/http/private-address';
import { createLogger } from '../../src/core/logger';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';
import { testDatabase } from '../helpers/database';

// Create-time guard, through the real gateway built with ALLOW_PRIVATE_NETWORKS=false (the shared
// test stack allows private networks). The subscription routes need no Temporal: its client points
// at nothing.

const TOKEN = 'guard-test-token-0123456789';

/** Every way of writing a non-public receiver host that must be refused with 400. */
const NON_PUBLIC_URLS = [
  'http://127.0.0.1:8080/hook',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://0x7f.1/',
  'http://0x7f000001/',
  'http://127.1/',
  'http://127.0.0.1./',
  'http://[::ffff:127.0.0.1]/',
  'http://[::1]/',
  'http://[::]/',
  'http://0.0.0.0/',
  'http://0/',
  'http://10.0.0.1/',
  'http://172.16.5.4/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:169.254.169.254]/',
  'http://[fd00::1]/',
  'http://[fd00:ec2::254]/',
  'http://[fe80::1]/',
  'https://localhost/',
  'http://LOCALHOST./',
  'http://api.localhost/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://metadata/',
  'http://instance-data/latest/',
  'http://printer.local/',
];

type Problem = { status: number; errors?: { in: string; field: string; message: string }[] };

interface Gateway {
  url: string;
  server: http.Server;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-guard-'));
const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
let ledger: Ledger;
let dropDatabase: () => Promise<void>;
let guarded: Gateway;
let open: Gateway;

async function startGateway(allowPrivateNetworks: boolean): Promise<Gateway> {
  const config = parseConfig({ API_TOKEN: TOKEN, ALLOW_PRIVATE_NETWORKS: String(allowPrivateNetworks) });
  const app = createApp({ config, ledger, client: new Client({ connection }), logger: createLogger('test', 'silent') });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function api(gateway: Gateway, method: string, urlPath: string, body?: unknown) {
  const res = await fetch(`${gateway.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
}

function assertRefusesUrl(res: Awaited<ReturnType<typeof api>>, what: string) {
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
  assert.match(res.type, /^application\/problem\+json/);
  assert.deepEqual(
    (res.body as Problem).errors?.map((e) => `${e.in}:${e.field}`),
    ['body:url'],
    what,
  );
}

before(async () => {
  const database = await testDatabase(dataDir);
  dropDatabase = database.drop;
  ledger = new Ledger(await openDatabase(database.url));
  guarded = await startGateway(false);
  open = await startGateway(true);
});

after(async () => {
  for (const gateway of [guarded, open]) {
    gateway.server.closeAllConnections();
    await new Promise((resolve) => gateway.server.close(resolve));
  }
  await connection.close();
  await ledger.db.destroy();
  await dropDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('WHATWG URL parsing already turns decimal, octal, hex and short IPv4 into dotted form', () => {
  for (const spelling of ['2130706433', '0177.0.0.1', '0x7f.1', '0x7f000001', '127.1', '0177.1', '127.0.0.1.', '127%2E0.0.1']) {
    assert.equal(new URL(`http://${spelling}/`).hostname, '127.0.0.1', spelling);
  }
  assert.equal(new URL('http://[::ffff:127.0.0.1]/').hostname, '[::ffff:7f00:1]');
});

test('every non-public host is named with its reason; public hosts pass', () => {
  for (const url of NON_PUBLIC_URLS) assert.ok(nonPublicHostReason(new URL(url)), url);
  assert.equal(nonPublicHostReason(new URL('http://0x7f.1/')), '127.0.0.1 is a loopback address');
  assert.equal(nonPublicHostReason(new URL('http://100.64.0.1/')), '100.64.0.1 is a carrier-grade NAT address');
  assert.equal(nonPublicHostReason(new URL('http://metadata.google.internal/')), 'metadata.google.internal is a cloud metadata host');
  for (const url of ['https://hooks.example.com/x', 'http://93.184.216.34/', 'https://[2606:4700:4700::1111]/', 'https://localhost.example.com/']) {
    assert.equal(nonPublicHostReason(new URL(url)), undefined, url);
  }
});

test('POST /v1/subscriptions refuses a non-public receiver in every spelling with 400 naming url, and stores nothing', async () => {
  for (const url of NON_PUBLIC_URLS) {
    const res = await api(guarded, 'POST', '/v1/subscriptions', { tenantId: 'default', url, eventTypes: ['order.*'] });
    assertRefusesUrl(res, url);
    assert.match((res.body as Problem).errors![0]!.message, /^must point at a public host: /);
  }
  const listed = await api(guarded, 'GET', '/v1/subscriptions');
  assert.deepEqual(listed.body.data, []);
});

test('PATCH /v1/subscriptions/:id refuses a non-public receiver and leaves the subscription as it was', async () => {
  const created = await api(guarded, 'POST', '/v1/subscriptions', { tenantId: 'default', url: 'https://hooks.example.com/in?token=1', eventTypes: ['a.b'] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  for (const url of NON_PUBLIC_URLS) assertRefusesUrl(await api(guarded, 'PATCH', `/v1/subscriptions/${created.body.id}`, { url }), url);
  const read = await api(guarded, 'GET', `/v1/subscriptions/${created.body.id}`);
  assert.equal(read.body.url, 'https://hooks.example.com/in?token=1');
  // Other fields of a subscription still change.
  const patched = await api(guarded, 'PATCH', `/v1/subscriptions/${created.body.id}`, { description: 'billing' });
  assert.equal(patched.status, 200);
});

test('a URL that is not a URL is 400 naming url, not 500', async () => {
  for (const gateway of [guarded, open]) {
    assertRefusesUrl(await api(gateway, 'POST', '/v1/subscriptions', { tenantId: 'default', url: 'not a url', eventTypes: ['a.b'] }), 'POST');
    const created = await api(gateway, 'POST', '/v1/subscriptions', { tenantId: 'default', url: 'https://hooks.example.com/p', eventTypes: ['a.b'] });
    assertRefusesUrl(await api(gateway, 'PATCH', `/v1/subscriptions/${created.body.id}`, { url: 'not a url' }), 'PATCH');
  }
});

test('ALLOW_PRIVATE_NETWORKS=true accepts private receivers', async () => {
  for (const url of ['http://127.0.0.1:4000/webhook', 'http://[fd00::1]/', 'http://metadata.google.internal/']) {
    const res = await api(open, 'POST', '/v1/subscriptions', { tenantId: 'default', url, eventTypes: ['a.b'] });
    assert.equal(res.status, 201, url);
  }
});
