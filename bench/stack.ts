// The stack every bench phase runs on: the product as `npm run dev` starts it, each part a process
// of its own so its memory and CPU can be measured apart.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import SQLite from 'better-sqlite3';
import type { Agent } from 'undici';
import type { WebhooksClient } from '../clients/typescript/src';
import { resolveTemporalCli } from '../scripts/lib/temporal-cli';
import { devServerArgs } from '../scripts/lib/dev-server';
import { apiOverPool } from './load';
import { freePort, GiveUp, type Proc, startProcess, stopProcess, waitUntil } from './procs';

const ROOT = path.resolve(__dirname, '..');
const API_TOKEN = 'bench-token-0123456789abcdef';
const TASK_QUEUE = `bench-${process.pid}`;

export interface Stack {
  temporal: Proc;
  /** The dev server's gRPC address. */
  address: string;
  metricsUrl: string;
  gateway: Proc;
  worker: Proc;
  client: Client;
  /** The gateway's API through the producer client (clients/typescript), over `apiPool`. */
  api: WebhooksClient;
  /** The client's keep-alive connections to the gateway, as many as the load's concurrency. */
  apiPool: Agent;
  /** The ledger, read-only: the bench never writes through this handle. */
  ledger: SQLite.Database;
  /** The ledger's SQLite file, for a separate writable handle (the fan-out phase's setup). */
  ledgerFile: string;
}

export function deathCheck(...procs: Proc[]): void {
  for (const p of procs) {
    if (p.hasExited()) throw new GiveUp(`${p.name} exited early. Its last output:\n${p.output()}`);
  }
}

export interface StackOptions {
  /** Connections the gateway client keeps; the load's concurrency. */
  concurrency: number;
  /** 'dev': the SQLite file `npm run dev` uses (default); 'memory': the CLI's in-memory store. */
  temporalDb: 'memory' | 'dev';
  /** With 'dev': SQLite pragmas instead of `npm run dev`'s. */
  sqlitePragmas?: string[];
  /** Extra `--dynamic-config-value KEY=VALUE` settings for the dev server. */
  temporalDynamicConfig?: string[];
  say: (message: string) => void;
}

type Say = (message: string) => void;

/**
 * The server `npm run dev` starts (same arguments, SQLite file and pragmas), unless asked for the
 * in-memory store, awaited until it answers; and a client connected to it.
 */
async function startTemporal(dir: string, { temporalDb, sqlitePragmas, temporalDynamicConfig = [], say }: StackOptions) {
  const [grpcPort, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const binary = resolveTemporalCli((m) => say(`temporal-cli: ${m}`));
  const devArgs = devServerArgs({
    port: grpcPort,
    dbFile: temporalDb === 'memory' ? undefined : path.join(dir, 'temporal.sqlite'),
    logLevel: 'error',
    sqlitePragmas,
  });
  const temporal = startProcess(
    'temporal',
    binary,
    [
      ...devArgs,
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      ...temporalDynamicConfig.flatMap((kv) => ['--dynamic-config-value', kv]),
    ],
    { ...process.env },
    dir,
  );
  const address = `127.0.0.1:${grpcPort}`;
  const connection = await waitUntil(async () => {
    deathCheck(temporal);
    const c = await Connection.connect({ address, connectTimeout: 1_000 });
    try {
      await c.workflowService.getSystemInfo({});
      return c;
    } catch (err) {
      await c.close();
      throw err;
    }
  }, { what: 'the Temporal dev server to answer', timeoutMs: 60_000 });
  say(`temporal dev server up on ${address} (pid ${temporal.pid})`);
  return { temporal, address, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, client: new Client({ connection, namespace: 'default' }) };
}

/** The environment the gateway and the worker share: the ledger file, the Temporal server, a port. */
function productEnv(dbFile: string, address: string, gatewayPort: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    API_TOKEN,
    DATABASE_URL: `sqlite:${dbFile}`,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    TASK_QUEUE,
    PORT: String(gatewayPort),
    ALLOW_PRIVATE_NETWORKS: 'true',
    // Metrics on, as `npm run dev` has them, on free ports so a running dev stack does not collide.
    GATEWAY_METRICS_PORT: '0',
    WORKER_METRICS_PORT: '0',
    WORKER_SDK_METRICS_PORT: '0',
  };
}

const nodeArgs = (entry: string) => ['--import', 'tsx', '--import', pathToFileURL(path.join(__dirname, 'orphan-guard.mjs')).href, entry];

/**
 * Gateway first and worker after it is healthy: both run the ledger migrations at start-up and
 * starting them together could race on a fresh SQLite file.
 */
async function startGatewayAndWorker(temporal: Proc, client: Client, env: NodeJS.ProcessEnv, concurrency: number, say: Say) {
  const gateway = startProcess('gateway', process.execPath, nodeArgs('src/gateway/main.ts'), env, ROOT);
  const { api, pool: apiPool } = apiOverPool(`http://127.0.0.1:${env.PORT}`, API_TOKEN, concurrency);
  await waitUntil(async () => {
    deathCheck(temporal, gateway);
    return (await api.http.GET('/healthz')).response.status === 200;
  }, { what: 'gateway GET /healthz = 200', timeoutMs: 60_000 });
  say(`gateway healthy on 127.0.0.1:${env.PORT} (pid ${gateway.pid})`);

  const worker = startProcess('worker', process.execPath, nodeArgs('src/worker/main.ts'), env, ROOT);
  // The worker bundles the workflows before it polls; ready = pollers on both task queue types.
  await waitUntil(async () => {
    deathCheck(temporal, gateway, worker);
    const describe = (taskQueueType: 1 | 2) =>
      client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: TASK_QUEUE }, taskQueueType });
    const [workflows, activities] = await Promise.all([describe(1), describe(2)]);
    return workflows.pollers.length > 0 && activities.pollers.length > 0;
  }, { what: 'the worker to poll its task queue', timeoutMs: 120_000, intervalMs: 250 });
  say(`worker polling ${TASK_QUEUE} (pid ${worker.pid})`);
  return { gateway, worker, api, apiPool };
}

/**
 * Temporal dev server, gateway and worker as separate processes (so each one's memory and CPU can
 * be read from /proc), on free 127.0.0.1 ports, each awaited until it really answers.
 */
export async function startStack(dir: string, options: StackOptions): Promise<Stack> {
  const { temporal, address, metricsUrl, client } = await startTemporal(dir, options);
  const dbFile = path.join(dir, 'ledger.sqlite');
  const env = productEnv(dbFile, address, await freePort());
  const { gateway, worker, api, apiPool } = await startGatewayAndWorker(temporal, client, env, options.concurrency, options.say);
  const ledger = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  return { temporal, address, metricsUrl, gateway, worker, client, api, apiPool, ledger, ledgerFile: dbFile };
}

export async function stopStack(stack: Stack, say: (message: string) => void): Promise<void> {
  // Best effort on every step: a failure closing one thing must not leave a process running.
  const quietly = (p: Promise<unknown>) => p.catch((err: unknown) => say(`while stopping: ${String(err)}`));
  stack.ledger.close();
  await quietly(stack.apiPool.close());
  await quietly(stack.client.connection.close());
  await Promise.all([stopProcess(stack.gateway), stopProcess(stack.worker)]);
  await stopProcess(stack.temporal);
}

