import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { TestReceiver } from '../helpers/receiver';
import { GiveUp, waitUntil } from '../../scripts/lib/wait';

// `npm run dev` owns fixed ports (Temporal 7233, Web UI 8233); on a machine already running it, skip.
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const root = path.resolve(__dirname, '..', '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-dev-'));
const gatewayPort = 3900 + (process.pid % 50);
/** The metrics endpoints on ports of this test's own (the defaults may be taken by a running dev stack). */
const metricsPorts = { GATEWAY_METRICS_PORT: 3950 + (process.pid % 50), WORKER_METRICS_PORT: 4000 + (process.pid % 50), WORKER_SDK_METRICS_PORT: 4050 + (process.pid % 50) };
const receiver = new TestReceiver();
let skip: string | false = false;

interface Dev {
  child: ChildProcess;
  output: () => string;
}

function startDev(): Dev {
  let output = '';
  // Its own process group, so the test can press "Ctrl-C" for the whole tree as a terminal would.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'dev.ts')], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(metricsPorts).map(([k, v]) => [k, String(v)])),
      DATA_DIR: dataDir,
      PORT: String(gatewayPort),
      TEMPORAL_ADDRESS: '',
      API_TOKEN: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

async function ctrlC(dev: Dev): Promise<number | null> {
  if (dev.child.exitCode !== null) return dev.child.exitCode;
  const exited = new Promise<number | null>((resolve) => dev.child.once('exit', (code) => resolve(code)));
  process.kill(-dev.child.pid!, 'SIGINT');
  return exited;
}

/** Waits for the banner; a dev stack that exits first fails the test at once, with what it printed. */
function waitForBanner(dev: Dev): Promise<unknown> {
  return waitUntil(
    () => {
      if (dev.child.exitCode !== null) throw new GiveUp(`npm run dev exited with ${dev.child.exitCode}:\n${dev.output()}`);
      return dev.output().includes('Ctrl-C stops everything');
    },
    { timeoutMs: 180_000, what: 'the dev banner' },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- npm run dev printed ---\n${dev.output()}`);
  });
}

before(async () => {
  if (!(await portFree(7233)) || !(await portFree(8233))) skip = 'ports 7233/8233 are in use (a dev stack is running)';
  await receiver.start();
});
after(async () => {
  await receiver.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('npm run dev starts Temporal with its Web UI, the worker and the gateway, and Ctrl-C stops them all', async (t) => {
  if (skip) return t.skip(skip);
  const dev = startDev();
  try {
    await waitForBanner(dev);
    const token = /API token:\s+(\S+)/.exec(dev.output())![1]!;
    assert.match(dev.output(), new RegExp(`Gateway:\\s+http://127\\.0\\.0\\.1:${gatewayPort}`));
    assert.match(dev.output(), /Temporal UI:\s+http:\/\/127\.0\.0\.1:8233/);
    const portalLink = /Portal:\s+(\S+)/.exec(dev.output())![1]!;
    assert.match(portalLink, new RegExp(`^http://127\\.0\\.0\\.1:${gatewayPort}/portal/login#token=whl_`));
    // The printed link opens the demo tenant's portal (what the login page does with its fragment).
    const session = await fetch(`http://127.0.0.1:${gatewayPort}/portal/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: new URL(portalLink).hash.slice('#token='.length) }),
    });
    assert.equal(session.status, 200);
    assert.equal(((await session.json()) as { tenant: { id: string } }).tenant.id, 'demo');

    const api = `http://127.0.0.1:${gatewayPort}`;
    assert.equal((await fetch(`${api}/healthz`)).status, 200);
    assert.equal((await fetch('http://127.0.0.1:8233/')).status, 200, 'the Web UI answers');

    // The banner names the three metrics endpoints, and each serves Prometheus text.
    const served = {
      gateway: [metricsPorts.GATEWAY_METRICS_PORT, 'webhook_events_accepted_total'],
      worker: [metricsPorts.WORKER_METRICS_PORT, 'webhook_attempts_total'],
      'Temporal SDK': [metricsPorts.WORKER_SDK_METRICS_PORT, 'temporal_'],
    } as const;
    for (const [name, [port, metric]] of Object.entries(served)) {
      const url = `http://127.0.0.1:${port}/metrics`;
      assert.match(dev.output(), new RegExp(`${name} ${url.replaceAll('.', '\\.')}`), `the banner prints the ${name} metrics URL`);
      assert.ok((await (await fetch(url)).text()).includes(metric), `${url} serves ${metric}`);
    }

    // The search attributes are registered: a query on them is accepted.
    const connection = await Connection.connect({ address: '127.0.0.1:7233' });
    const client = new Client({ connection });
    for await (const _ of client.workflow.list({ query: 'WebhookEventId="none" AND WebhookSubscriptionId="none" AND WebhookTenantId="none"' })) break;
    await connection.close();

    // A real delivery through the dev stack, with the printed token.
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const sub = await fetch(`${api}/v1/subscriptions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ tenantId: 'demo', url: receiver.url('/dev'), eventTypes: ['dev.*'] }),
    });
    assert.equal(sub.status, 201);
    const ev = await fetch(`${api}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ id: 'dev_1', tenantId: 'demo', type: 'dev.ping', data: {} }) });
    assert.equal(ev.status, 202);
    await receiver.waitFor(() => receiver.to('/dev').length === 1, 60_000, 'the dev delivery');
  } finally {
    assert.equal(await ctrlC(dev), 0);
  }
  assert.equal(await portFree(7233), true, 'Temporal stopped');
  assert.equal(await portFree(gatewayPort), true, 'gateway stopped');

  // State persists in the data folder: a second start knows the event and its delivery.
  const again = startDev();
  try {
    await waitForBanner(again);
    const token = /API token:\s+(\S+)/.exec(again.output())![1]!;
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/v1/events/dev_1`, { headers: { authorization: `Bearer ${token}` } });
    const event = (await res.json()) as { deliveries: { status: string }[] };
    assert.deepEqual(event.deliveries.map((d) => d.status), ['succeeded']);
  } finally {
    assert.equal(await ctrlC(again), 0);
  }
});
