import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { type Config, parseConfig } from '../../src/core/config';
import { createApp, createDispatcher } from '../../src/gateway/app';
import { answerClientErrorsAsProblems } from '../../src/gateway/client-errors';
import { createLogger } from '../../src/core/logger';
import { openDatabase } from '../../src/store/db';
import { Ledger } from '../../src/store/ledger';
import { createWorker, type WorkerDeps } from '../../src/worker/create-worker';
import { WebhooksClient } from '../../clients/typescript/src';
import { checkAnswer, checkedFetch } from './api-shapes';
import { testDatabase } from './database';
import { startTemporal, testWorkflowBundle } from './temporal';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface Stack {
  env: TestWorkflowEnvironment;
  config: Config;
  ledger: Ledger;
  dataDir: string;
  gatewayUrl: string;
  logs: string[];
  /**
   * fetch against the gateway with the API token, untyped: for requests no typed client would
   * send (malformed bodies, odd headers, paths of no route). Prefer `client` for the rest.
   */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** The producer's typed client (clients/typescript) with the API token; problems are thrown as WebhooksApiError. */
  client: WebhooksClient;
  /** The same client with another key, e.g. a tenant key. */
  clientFor(apiKey: string): WebhooksClient;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, already checked against the route's declared answer (helpers/api-shapes.ts). */
  body: Record<string, unknown>;
}

export interface StackOptions {
  /** Run no worker in this process (a test starts its own, e.g. as a child process). */
  withoutWorker?: boolean;
  temporalArgs?: string[];
  /** Serve the Temporal Web UI on this port. */
  uiPort?: number;
  /** WORKER_MAX_CONCURRENT_ACTIVITIES for the in-process worker. */
  workerActivitySlots?: number;
  /** Endpoint health threshold (DISABLE_AFTER_FAILING_FOR), e.g. '300ms'. */
  disableAfterFailingFor?: string;
  /** Smaller fan-out pages and shards, to exercise paging and sharding with few subscribers. */
  fanOutPageSize?: number;
  fanOutShardSize?: number;
  /** Collect every log line (at debug level) into Stack.logs. */
  captureLogs?: boolean;
  /** RECONCILE_INTERVAL and RECONCILE_GRACE, e.g. '1s', to see the reconciler act within a test. */
  reconcileInterval?: string;
  reconcileGrace?: string;
  /** RETENTION_DAYS, RECORD_RETENTION_DAYS (days or durations such as '2s') and PURGE_INTERVAL. */
  retention?: string;
  recordRetention?: string;
  purgeInterval?: string;
  /** OPERATIONS_TENANT_ID: the tenant that also gets every tenant's operational events. */
  operationsTenantId?: string;
  /** WEBHOOK_PROXY_URL, read when the stack starts (a proxy started in an earlier `before`). */
  proxyUrl?: () => string;
  /** ALLOW_PRIVATE_NETWORKS (default true: receivers are on 127.0.0.1). */
  allowPrivateNetworks?: boolean;
  /** The worker's resolver or allowed addresses, to test the receiver address check. */
  addressCheck?: WorkerDeps['addressCheck'];
}

/** The gateway's server, listening on a free port of 127.0.0.1 before the app exists (the config needs its URL). */
async function listenGateway(): Promise<{ server: http.Server; gatewayUrl: string }> {
  const server = http.createServer();
  answerClientErrorsAsProblems(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, gatewayUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The services' configuration, from the options, as the environment would give it. */
function stackConfig(opts: StackOptions, gatewayUrl: string, temporalAddress: string, databaseUrl: string): Config {
  return parseConfig({
    PUBLIC_URL: gatewayUrl,
    DISABLE_AFTER_FAILING_FOR: opts.disableAfterFailingFor,
    RECONCILE_INTERVAL: opts.reconcileInterval,
    RECONCILE_GRACE: opts.reconcileGrace,
    RETENTION_DAYS: opts.retention,
    RECORD_RETENTION_DAYS: opts.recordRetention,
    PURGE_INTERVAL: opts.purgeInterval,
    OPERATIONS_TENANT_ID: opts.operationsTenantId,
    WORKER_MAX_CONCURRENT_ACTIVITIES: opts.workerActivitySlots?.toString(),
    API_TOKEN: TEST_TOKEN,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TASK_QUEUE: `test-${process.pid}`,
    ALLOW_PRIVATE_NETWORKS: String(opts.allowPrivateNetworks ?? true),
    WEBHOOK_PROXY_URL: opts.proxyUrl?.(),
    PORT: '0',
    LOG_LEVEL: opts.captureLogs ? 'debug' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
}

/** The in-process worker, started and stopped on demand (tests stop it to see what survives). */
function workerControl(opts: StackOptions, deps: Omit<WorkerDeps, 'fanOutPageSize' | 'fanOutShardSize' | 'addressCheck'>) {
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    const { fanOutPageSize, fanOutShardSize, addressCheck } = opts;
    worker = await createWorker({ ...deps, fanOutPageSize, fanOutShardSize, addressCheck, workflowBundle: testWorkflowBundle() });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (!worker) return;
    worker.shutdown();
    await running;
    worker = undefined;
  };
  return { startWorker, stopWorker };
}

/**
 * The untyped caller: any method, path, body (a string is sent as it is) and headers, for tests
 * that send what no typed client would. Answers of a known route are still held to its declaration.
 */
function apiCaller(gatewayUrl: string): Stack['api'] {
  return async (method, urlPath, body, headers = {}) => {
    const res = await fetch(`${gatewayUrl}${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${TEST_TOKEN}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    checkAnswer(method, res.url, res, text);
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
  };
}

/** Temporal dev server + ledger + worker + gateway, all real, on 127.0.0.1 free ports. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env = await startTemporal(opts.temporalArgs, opts.uiPort);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-relay-test-'));
  const { server, gatewayUrl } = await listenGateway();
  const database = await testDatabase(dataDir);
  const config = stackConfig(opts, gatewayUrl, env.address, database.url);
  const logs: string[] = [];
  const sink = { write: (line: string) => void logs.push(line) };
  const logger = createLogger('test', config.LOG_LEVEL, opts.captureLogs ? sink : undefined);
  const ledger = new Ledger(await openDatabase(config.DATABASE_URL), undefined, { operationsTenantId: config.OPERATIONS_TENANT_ID });
  const { startWorker, stopWorker } = workerControl(opts, { config, connection: env.nativeConnection, ledger, logger });
  if (!opts.withoutWorker) await startWorker();

  // The worker shares this ledger: its dispatcher starts the operational events the gateway records too.
  const dispatcher = createDispatcher({ config, ledger, client: env.client, logger });
  server.on('request', createApp({ config, ledger, client: env.client, logger, dispatcher }));
  const clientFor = (apiKey: string) => new WebhooksClient({ baseUrl: gatewayUrl, apiKey, fetch: checkedFetch });

  return {
    env,
    config,
    ledger,
    dataDir,
    gatewayUrl,
    logs,
    startWorker,
    stopWorker,
    clientFor,
    api: apiCaller(gatewayUrl),
    client: clientFor(TEST_TOKEN),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Workflow starts of events a test left queued end before Temporal's connection closes.
      await dispatcher.stop(0);
      await stopWorker();
      await ledger.db.destroy();
      await database.drop();
      await env.teardown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a stack (and the given receivers) before a file's tests and stops them after. Returns a
 * handle that forwards to the running stack, so tests read `stack.api(…)` as if it were the stack.
 */
export function useStack(
  opts: StackOptions & { setup?: (stack: Stack) => Promise<unknown> } = {},
  ...receivers: { start(): Promise<unknown>; stop(): Promise<void> }[]
): Stack {
  let running: Stack | undefined;
  before(async () => {
    running = await startStack(opts);
    await Promise.all(receivers.map((r) => r.start()));
    await opts.setup?.(running);
  });
  after(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await running?.stop();
  });
  return new Proxy({} as Stack, {
    get(_target, key) {
      if (!running) throw new Error('the stack is not started yet (use it inside a test)');
      return Reflect.get(running, key);
    },
  });
}
