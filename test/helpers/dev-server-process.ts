import { type ChildProcess, spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from '../../scripts/lib/temporal-cli';
import { devServerArgs } from '../../scripts/lib/dev-server';
import { GiveUp, waitUntil } from '../../scripts/lib/wait';

/**
 * The Temporal CLI's dev server as a child process, for tests that stop, kill or restart the server
 * itself (the @temporalio/testing server cannot be restarted in place). With `dbFile` its state
 * survives a restart on the same port.
 */

export { freePort } from './ports';

/** True once a server on `port` answers a call. */
export async function devServerAnswers(port: number): Promise<boolean> {
  const c = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1000 });
  try {
    return Boolean(await c.workflowService.getSystemInfo({}));
  } finally {
    await c.close();
  }
}

/** Starts a dev server on `port` and waits until it answers. */
export async function startDevServer(port: number, dbFile?: string): Promise<ChildProcess> {
  const child = spawn(resolveTemporalCli(), devServerArgs({ port, dbFile, logLevel: 'error' }), { stdio: 'ignore' });
  await waitUntil(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new GiveUp(`the Temporal dev server exited (${child.exitCode ?? child.signalCode})`);
      return devServerAnswers(port);
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the Temporal server' },
  );
  return child;
}

/** Stops the server (SIGTERM: a clean stop; SIGKILL: a crash) and waits until it has exited. */
export function stopDevServer(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
