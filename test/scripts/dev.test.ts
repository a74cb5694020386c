import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { TestReceiver } from '../helpers/receiver';
import { freePort, startDevServer, stopDevServer } from '../helpers/dev-server-process';
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
// Ranges clear of fetch's blocked ports (4045 and 4190 among them: fetch fails with "bad port").
const metricsPorts = { GATEWAY_METRICS_PORT: 3950 + (process.pid % 50), WORKER_METRICS_PORT: 4100 + (process.pid % 50), WORKER_SDK_METRICS_PORT: 4200 + (process.pid % 50) };
const receiver = new TestReceiver();
let skip: string | false = false;

interface Dev {
  child: ChildProcess;
  output: () => string;
}

/** `npm run dev` with its own Temporal server, data dir, ports; `env` replaces any of them. */
function startDev(env: Record<string, string> = {}): Dev {
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
      ...env,
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

/** The banner's links: the gateway, the Web UI and a portal link that opens the demo tenant's portal. */
async function checkBannerLinks(dev: Dev): Promise<void> {
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
}

/** The banner names the three metrics endpoints, and each serves Prometheus text. */
async function checkMetricsEndpoints(dev: Dev): Promise<void> {
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
}

/** The search attributes are registered: a query on them is accepted. */
async function checkSearchAttributes(): Promise<void> {
  const connection = await Connection.connect({ address: '127.0.0.1:7233' });
  const client = new Client({ connection });
  for await (const _ of client.workflow.list({ query: 'WebhookEventId="none" AND WebhookSubscriptionId="none" AND WebhookTenantId="none"' })) break;
  await connection.close();
}

/** A real delivery through the dev stack, with the printed token: event dev_1 to the receiver's /dev. */
async function deliverThroughDev(api: string, token: string): Promise<void> {
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
}

/** State persists in the data folder: a second start knows the event and its delivery. */
async function checkStatePersists(): Promise<void> {
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
}

test('npm run dev starts Temporal with its Web UI, the worker and the gateway, and Ctrl-C stops them all', async (t) => {
  if (skip) return t.skip(skip);
  const dev = startDev();
  try {
    await waitForBanner(dev);
    const token = /API token:\s+(\S+)/.exec(dev.output())![1]!;
    await checkBannerLinks(dev);
    const api = `http://127.0.0.1:${gatewayPort}`;
    assert.equal((await fetch(`${api}/healthz`)).status, 200);
    assert.equal((await fetch('http://127.0.0.1:8233/')).status, 200, 'the Web UI answers');
    await checkMetricsEndpoints(dev);
    await checkSearchAttributes();
    await deliverThroughDev(api, token);
  } finally {
    assert.equal(await ctrlC(dev), 0);
  }
  assert.equal(await portFree(7233), true, 'Temporal stopped');
  assert.equal(await portFree(gatewayPort), true, 'gateway stopped');
  await checkStatePersists();
});

// ---- A first start that never fails, and a stop that leaves nothing behind (issue 17) ----
// These start dev stacks against one Temporal server of this test's own, on free ports: what used to
// fail was the worker and the gateway migrating a fresh ledger at once, not Temporal.

/** Every process below `pid` (children, their children…), from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0; ) {
    frontier = [...parentOf].filter(([, ppid]) => frontier.includes(ppid)).map(([child]) => child);
    found.push(...frontier);
  }
  return found;
}

/** State and parent from /proc/<pid>/stat (after the command name, which may hold spaces). */
function readStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined; // gone
  }
}

/** The pids that still run (a zombie has ended: it only waits to be reaped). */
const survivors = (pids: number[]) => pids.filter((pid) => ![undefined, 'Z', 'X'].includes(readStat(pid)?.state));

interface Stack {
  dev: Dev;
  port: number;
  dataDir: string;
}

let temporalPort = 0;
let temporal: ChildProcess | undefined;
const linuxOnly = process.platform === 'linux' ? false : 'reads /proc to find the processes npm run dev started';

/** A dev stack on a fresh data dir and free port, using the test's Temporal server, with a task queue of its own. */
async function startFreshStack(name: string): Promise<Stack> {
  const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), `webhook-relay-${name}-`));
  const port = await freePort();
  const dev = startDev({
    DATA_DIR: stackDir,
    PORT: String(port),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    // Its own queue, so "a worker polls" means this start's worker, not the previous one's.
    TASK_QUEUE: `dev-${name}-${process.pid}`,
    GATEWAY_METRICS_PORT: 'off',
    WORKER_METRICS_PORT: 'off',
    WORKER_SDK_METRICS_PORT: 'off',
  });
  return { dev, port, dataDir: stackDir };
}

/** The worker and the gateway of a dev process, once both are running. */
function services(dev: Dev): Promise<number[]> {
  return waitUntil(
    () => {
      if (dev.child.exitCode !== null) throw new GiveUp(`npm run dev exited with ${dev.child.exitCode}:\n${dev.output()}`);
      const pids = descendants(dev.child.pid!);
      const names = pids.map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      return names.some((n) => n.includes('worker/main.ts')) && names.some((n) => n.includes('gateway/main.ts')) && pids;
    },
    { timeoutMs: 60_000, what: 'npm run dev to start the worker and the gateway' },
  );
}

/** After a test, whatever it failed to stop: the dev process, the processes it started, its data. */
function cleanUp({ dev, dataDir: stackDir }: Stack, started: number[] = []): void {
  const devRunning = dev.child.exitCode === null && dev.child.signalCode === null;
  for (const pid of [...(devRunning ? [dev.child.pid!] : []), ...survivors(started)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(stackDir, { recursive: true, force: true });
}

const healthz = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;

describe('fresh starts against a Temporal server of the test', { skip: linuxOnly }, () => {
  before(async () => {
    temporalPort = await freePort();
    temporal = await startDevServer(temporalPort);
  });
  after(async () => {
    if (temporal) await stopDevServer(temporal);
  });

  test('10 fresh starts in a row all come up, and each Ctrl-C leaves no process it started', async () => {
    for (let i = 1; i <= 10; i++) {
      const stack = await startFreshStack(`start${i}`);
      const { dev, port } = stack;
      let started: number[] = [];
      try {
        await waitForBanner(dev);
        assert.equal(await healthz(port), true, `start ${i}: /healthz`);
        started = descendants(dev.child.pid!);
        assert.ok(started.length >= 2, `start ${i}: a worker and a gateway (found ${started.length} processes)`);
        assert.equal(await ctrlC(dev), 0, `start ${i}: npm run dev exits cleanly`);
        assert.deepEqual(survivors(started), [], `start ${i}: no process it started survives`);
      } finally {
        cleanUp(stack, started);
      }
    }
  });

  /**
   * A fresh stack whose gateway answers (the worker is still bundling its workflows then): `act`
   * gets its dev process and the pids of the worker and gateway; everything is cleaned up after.
   */
  async function onceGatewayAnswers(name: string, act: (dev: Dev, started: number[]) => Promise<void>): Promise<void> {
    const stack = await startFreshStack(name);
    let started: number[] = [];
    try {
      started = await services(stack.dev);
      await waitUntil(() => healthz(stack.port), { timeoutMs: 60_000, what: 'the gateway to answer' });
      await act(stack.dev, started);
    } finally {
      cleanUp(stack, started);
    }
  }

  test('when the gateway dies while the worker is still starting, npm run dev stops and leaves nothing', () =>
    onceGatewayAnswers('gateway-dies', async (dev, started) => {
      const gateway = started.find((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('gateway/main.ts'))!;
      const exited = new Promise<number | null>((resolve) => dev.child.once('exit', (code) => resolve(code)));
      process.kill(gateway, 'SIGKILL');
      assert.equal(await exited, 1, 'npm run dev stops, with an error');
      assert.match(dev.output(), /gateway exited \(SIGKILL\); stopping the stack/);
      assert.deepEqual(survivors(started), [], 'no process it started survives');
    }));

  test('when npm run dev itself is killed (SIGKILL), the worker and the gateway exit by themselves', () =>
    onceGatewayAnswers('dev-killed', async (dev, started) => {
      process.kill(dev.child.pid!, 'SIGKILL');
      await waitUntil(() => survivors(started).length === 0, { timeoutMs: 15_000, what: 'the orphaned worker and gateway to exit' });
    }));
});
