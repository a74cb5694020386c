// `npm run dev`: the whole stack on this machine. Starts a Temporal dev server (persistent, with the
// Web UI and our search attributes) unless TEMPORAL_ADDRESS points at a running one, then the worker
// and the gateway. Ctrl-C stops everything it started (each child runs in its own process group,
// SIGTERM then SIGKILL; the worker and gateway also exit by themselves if this process is killed).
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { configSchema, DATA_DIR } from '../src/core/config';
import { resolveTemporalCli } from './lib/temporal-cli';
import { devServerArgs } from './lib/dev-server';
import { rememberServer, stopLeftoverServer } from './lib/leftover-server';
import { GiveUp, waitUntil } from './lib/wait';
import { killGroupsNow, spawnInGroup, stopGroup } from './lib/process-group';
import { devLogFormat, logPrettifier, prettyPrintLines } from './lib/pretty-logs';
import { PARENT_PID_ENV } from '../src/core/exit-with-parent';

const root = path.resolve(__dirname, '..');
const children: ChildProcess[] = [];
/** The services' log output still being printed (pretty format): drained before exiting. */
const logStreams: Promise<void>[] = [];
let temporalServer: ChildProcess | undefined;
const say = (m: string) => console.log(`[dev] ${m}`);

function devToken(): string {
  if (process.env.API_TOKEN) return process.env.API_TOKEN;
  // Kept in the data folder so the token survives restarts of the dev stack.
  const file = path.join(DATA_DIR, 'dev-api-token');
  if (!fs.existsSync(file)) fs.writeFileSync(file, `dev_${crypto.randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

/** True once some worker polls the task queue, i.e. deliveries would actually run. */
async function workerPolling(address: string, namespace: string, taskQueue: string): Promise<boolean> {
  const connection = await Connection.connect({ address });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (pollers?.length ?? 0) > 0;
  } finally {
    await connection.close();
  }
}

async function reachable(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

/** How long a child may take to stop on SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * Starts a child in its own process group. With `prettyLogs`, its standard output (JSON log lines)
 * is printed through the prettifier; otherwise, and always for standard error, it goes straight through.
 */
function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, prettyLogs?: (line: string) => string): ChildProcess {
  // Its own process group, killed as a whole; the pid lets the worker and gateway exit by themselves
  // should this process die without stopping them (src/core/exit-with-parent.ts).
  const child = spawnInGroup(command, args, {
    cwd: root,
    env: { ...env, [PARENT_PID_ENV]: String(process.pid) },
    stdio: ['ignore', prettyLogs ? 'pipe' : 'inherit', 'inherit'],
  });
  if (prettyLogs && child.stdout) logStreams.push(prettyPrintLines(child.stdout, process.stdout, prettyLogs));
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the stack`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
/** Stops the worker and the gateway, then the Temporal server they use, then exits. */
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  const [server, services] = temporalServer ? [[temporalServer], children.filter((c) => c !== temporalServer)] : [[], children];
  await Promise.all(services.map((child) => stopGroup(child, STOP_GRACE_MS)));
  await Promise.all(server.map((child) => stopGroup(child, STOP_GRACE_MS)));
  // The services' last lines (shutting down) may still be in their pipes; a second at most.
  await Promise.race([Promise.all(logStreams), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  process.exit(code);
}

/**
 * The Temporal server the stack uses: the one at TEMPORAL_ADDRESS, which must answer, or else a
 * dev server started here (persistent in the data folder, with its Web UI).
 */
async function temporalServerToUse(): Promise<{ address: string; uiUrl: string }> {
  const given = process.env.TEMPORAL_ADDRESS;
  if (given) {
    if (!(await reachable(given))) throw new Error(`TEMPORAL_ADDRESS=${given} does not answer`);
    say(`using the Temporal server at ${given}`);
    return { address: given, uiUrl: process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233' };
  }
  const address = '127.0.0.1:7233';
  const dbFile = path.join(DATA_DIR, 'temporal.sqlite');
  const pidFile = path.join(DATA_DIR, 'temporal.pid');
  if (await stopLeftoverServer(pidFile, dbFile)) say('stopped the Temporal server a killed npm run dev left running');
  if (await reachable(address)) {
    throw new Error(`something already listens on ${address}; stop it or set TEMPORAL_ADDRESS=${address}`);
  }
  const cli = resolveTemporalCli((m) => say(m));
  say(`starting Temporal dev server (${cli})`);
  const server = start('temporal', cli, devServerArgs({ port: 7233, uiPort: 8233, dbFile }), process.env);
  temporalServer = server;
  if (server.pid !== undefined) rememberServer(pidFile, server.pid);
  await waitUntil(
    async () => {
      if (server.exitCode !== null) throw new GiveUp(`temporal server exited with code ${server.exitCode}`);
      return reachable(address);
    },
    { timeoutMs: 60_000, intervalMs: 250, what: `Temporal to answer on ${address}` },
  );
  return { address, uiUrl: 'http://127.0.0.1:8233' };
}

async function main(): Promise<void> {
  // JSON lines from the services, printed for a person unless DEV_LOG_FORMAT=json (checked first).
  const prettyLogs = devLogFormat() === 'pretty' ? logPrettifier() : undefined;
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const token = devToken();
  const port = process.env.PORT ?? '3000';
  const { address: temporalAddress, uiUrl } = await temporalServerToUse();

  const env = {
    ...process.env,
    API_TOKEN: token,
    TEMPORAL_ADDRESS: temporalAddress,
    ALLOW_PRIVATE_NETWORKS: process.env.ALLOW_PRIVATE_NETWORKS ?? 'true',
    PORT: port,
  };
  start('worker', process.execPath, ['--import', 'tsx', path.join(root, 'src', 'worker', 'main.ts')], env, prettyLogs);
  start('gateway', process.execPath, ['--import', 'tsx', path.join(root, 'src', 'gateway', 'main.ts')], env, prettyLogs);

  const gatewayUrl = `http://127.0.0.1:${port}`;
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  const taskQueue = process.env.TASK_QUEUE || 'webhooks';
  await waitUntil(
    async () => (await fetch(`${gatewayUrl}/healthz`)).ok && workerPolling(temporalAddress!, namespace, taskQueue),
    { timeoutMs: 90_000, intervalMs: 250, what: 'the gateway and the worker to be ready' },
  );
  const portalLink = await demoPortalLink(gatewayUrl, token);
  console.log(
    [
      '',
      '  webhook-relay is running',
      `  Gateway:      ${gatewayUrl}   (OpenAPI: ${gatewayUrl}/openapi.json)`,
      `  Temporal UI:  ${uiUrl}`,
      `  API token:    ${token}`,
      `  Portal:       ${portalLink}`,
      '                (the tenant "demo"\'s consumer portal: a single-use link, valid for an hour)',
      ...metricsLines(),
      '',
      `  export API=${gatewayUrl} TOKEN=${token}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/**
 * The banner's lines for the Prometheus endpoints, read from the same settings the worker and the
 * gateway parse (defaults 9464-9466 on 127.0.0.1; `off` turns one off).
 */
function metricsLines(): string[] {
  const host = configSchema.shape.METRICS_HOST.parse(process.env.METRICS_HOST || undefined);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const endpoint = (setting: 'GATEWAY_METRICS_PORT' | 'WORKER_METRICS_PORT' | 'WORKER_SDK_METRICS_PORT') => {
    const port = configSchema.shape[setting].parse(process.env[setting] || undefined);
    if (port === undefined) return `off (${setting}=off)`;
    return port === 0 ? 'a free port (its process logs "metrics served")' : `http://${shownHost}:${port}/metrics`;
  };
  return [
    `  Metrics:      gateway ${endpoint('GATEWAY_METRICS_PORT')}`,
    `                worker ${endpoint('WORKER_METRICS_PORT')}`,
    `                Temporal SDK ${endpoint('WORKER_SDK_METRICS_PORT')}`,
  ];
}

/** Creates (or keeps) the tenant `demo` and issues a single-use link to its consumer portal. */
async function demoPortalLink(gatewayUrl: string, token: string): Promise<string> {
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
  // Created once: a PUT replaces the whole tenant, and would reset a fairnessWeight or limits set on it since.
  const existing = await fetch(`${gatewayUrl}/v1/tenants/demo`, { headers: { authorization: `Bearer ${token}` } });
  if (existing.status === 404) await call('PUT', '/v1/tenants/demo', { name: 'Demo customer', metadata: { createdBy: 'npm run dev' } });
  else if (!existing.ok) throw new Error(`GET /v1/tenants/demo answered ${existing.status}`);
  return (await call('POST', '/v1/tenants/demo/portal-sessions', { linkExpiresIn: '1h' })).url as string;
}

let firstSignalAt = 0;
/**
 * Ctrl-C (or SIGTERM, or the terminal closing) stops the stack. `npm run` forwards the terminal's
 * SIGINT once more, so a repeat within a second is that echo; a later one means "now": exit at
 * once, and the 'exit' handler kills whatever is left.
 */
function onSignal(): void {
  if (!stopping) {
    firstSignalAt = Date.now();
    void stop(0);
  } else if (Date.now() - firstSignalAt > 1000) {
    process.exit(1);
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
// However this process ends, nothing it started outlives it.
process.once('exit', () => killGroupsNow(children));
main().catch((err) => {
  console.error(`[dev] ${err instanceof Error ? err.message : String(err)}`);
  void stop(1);
});
