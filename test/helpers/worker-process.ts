import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after } from 'node:test';
import type { Config } from '../../src/core/config';

/**
 * The metrics endpoints off: a test's processes must not take the default ports (9464-9466), which
 * a developer's `npm run dev` or another test file may hold. A test that scrapes them sets ports.
 */
export const METRICS_OFF = { GATEWAY_METRICS_PORT: 'off', WORKER_METRICS_PORT: 'off', WORKER_SDK_METRICS_PORT: 'off' } as const;

/** The real worker entry point (`npm run worker`) as a separate process, so a test can kill it. */
export function spawnWorker(config: Config, env: Record<string, string> = {}): ChildProcess {
  return spawnService('src/worker/main.ts', config, env);
}

/** The real gateway entry point (`npm run gateway`) as a separate process; `env` sets at least PORT. */
export function spawnGateway(config: Config, env: Record<string, string> & { PORT: string }): ChildProcess {
  return spawnService('src/gateway/main.ts', config, env);
}

function spawnService(entry: string, config: Config, env: Record<string, string>): ChildProcess {
  const root = path.resolve(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    env: {
      ...process.env,
      API_TOKEN: config.API_TOKEN,
      DATABASE_URL: config.DATABASE_URL,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      TASK_QUEUE: config.TASK_QUEUE,
      ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'error',
      ...METRICS_OFF,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Worker processes a test file starts; every one of them is killed after its tests. */
export function useWorkerProcesses(): { spawn(config: Config, env?: Record<string, string>): ChildProcess; all: ChildProcess[] } {
  const all: ChildProcess[] = [];
  after(() => Promise.all(all.map(killHard)));
  return {
    all,
    spawn(config, env) {
      const child = spawnWorker(config, env);
      all.push(child);
      return child;
    },
  };
}
