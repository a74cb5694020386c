import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { parseConfig } from '../../src/core/config';
import { createApp } from '../../src/gateway/app';
import { createLogger } from '../../src/core/logger';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';
import { createWorker } from '../../src/worker/create-worker';
import { deliveryWorkflowId } from '../../src/contract';
import { testDatabase } from '../helpers/database';
import { freePort, startDevServer, stopDevServer } from '../helpers/dev-server-process';
import { TestReceiver } from '../helpers/receiver';
import { TEST_TOKEN } from '../helpers/stack';
import { quietSdkLogs, testWorkflowBundle } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait';

// This test restarts the Temporal server itself, so it runs one from the CLI with a database file
// (the @temporalio/testing server cannot be restarted in place).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-restart-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Gateway (on its own HTTP server), ledger and worker against the dev server on `port`, all cleaned up after. */
async function startProduct(port: number) {
  const gatewayServer = http.createServer();
  await new Promise<void>((resolve) => gatewayServer.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((r) => gatewayServer.close(r)));
  const gatewayUrl = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}`;
  const database = await testDatabase(dir);
  cleanups.push(database.drop);
  const config = parseConfig({
    API_TOKEN: TEST_TOKEN,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    TASK_QUEUE: 'restart',
    ALLOW_PRIVATE_NETWORKS: 'true',
    PUBLIC_URL: gatewayUrl,
  });
  const logger = createLogger('test', 'silent');
  const ledger = new Ledger(await openDatabase(config.DATABASE_URL));
  cleanups.push(() => ledger.db.destroy());
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  cleanups.push(() => connection.close());
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker: Worker = await createWorker({ config, connection: nativeConnection, ledger, logger, workflowBundle: testWorkflowBundle() });
  const running = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await running;
    await nativeConnection.close();
  });
  gatewayServer.on('request', createApp({ config, ledger, client, logger }));
  return { gatewayUrl, ledger, client };
}

/** The gateway's API with the test token: status and JSON body. */
function gatewayApi(gatewayUrl: string) {
  return async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${gatewayUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
}

test('a confirmation wait survives a restart of the Temporal server', async () => {
  quietSdkLogs();
  const port = await freePort();
  const dbFile = path.join(dir, 'temporal.sqlite');
  let server = await startDevServer(port, dbFile);
  // Reads `server` when it runs: the restarted server is the one stopped.
  cleanups.push(() => stopDevServer(server));
  const { gatewayUrl, ledger, client } = await startProduct(port);
  const receiver = await new TestReceiver(() => ({ status: 202 })).start();
  cleanups.push(() => receiver.stop());

  const api = gatewayApi(gatewayUrl);
  const sub = await api('POST', '/v1/subscriptions', {
    tenantId: 'default',
    url: receiver.url('/slow-worker'),
    eventTypes: ['job.queued'],
    confirmation: { required: true, timeout: '10m' },
  });
  const event = await api('POST', '/v1/events', { tenantId: 'default', type: 'job.queued', data: {} });
  const eventId = event.body.id!;
  await waitUntil(async () => (await ledger.deliveries.listForEvent(eventId))[0]?.status === 'awaiting_confirmation', {
    what: 'awaiting confirmation',
  });

  await stopDevServer(server);
  server = await startDevServer(port, dbFile);

  const url = String(receiver.to('/slow-worker')[0]!.headers['webhook-confirm-url']);
  assert.equal((await fetch(url, { method: 'POST' })).status, 200);
  const handle = client.workflow.getHandle(deliveryWorkflowId(eventId, sub.body.id!));
  await waitUntil(async () => (await handle.describe()).status.name === 'COMPLETED', { timeoutMs: 60_000, what: 'the workflow to complete' });
  const [delivery] = await ledger.deliveries.listForEvent(eventId);
  assert.equal(delivery!.status, 'succeeded');
  assert.deepEqual((await ledger.attempts.list(delivery!.id)).map((a) => [a.number, a.outcome]), [[1, 'succeeded']]);
  assert.equal(receiver.requests.length, 1);
});
