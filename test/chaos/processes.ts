import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from '../../scripts/lib/temporal-cli';
import { devServerArgs } from '../../scripts/lib/dev-server';
import { GiveUp } from '../../scripts/lib/wait';
import { waitUntil } from '../helpers/wait';
import { METRICS_OFF } from '../helpers/worker-process';

const ROOT = path.resolve(__dirname, '..', '..');
/** Lines of a process's output kept to explain a failure. */
const TAIL_LINES = 40;

/** Every child this file started, so a dying test process takes none of them along into the future. */
const everyChild = new Set<ChildProcess>();
const killEveryChild = () => {
  for (const child of everyChild) child.kill('SIGKILL');
};
process.once('exit', killEveryChild);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killEveryChild();
    process.kill(process.pid, signal); // no listener left: the default action ends this process
  });
}

export { freePort } from '../helpers/ports';

/**
 * One real process the test can kill -9 and start again with the same command line (same port,
 * same database file), keeping the tail of its output for the failure message.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private readonly tail: string[] = [];
  private killedByUs = false;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True when the current child died without the test killing it. */
  get crashed(): boolean {
    const c = this.child;
    return c !== undefined && !this.killedByUs && (c.exitCode !== null || c.signalCode !== null);
  }

  start(): void {
    this.killedByUs = false;
    this.starts += 1;
    const child = spawn(this.command, this.args, { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    everyChild.add(child);
    child.once('exit', () => everyChild.delete(child));
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => this.keep(chunk));
    this.child = child;
  }

  /** SIGKILL, and resolves once the process is gone (its ports are free again then). */
  kill9(): Promise<void> {
    const child = this.child;
    this.killedByUs = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Throws GiveUp (ending a waitUntil at once) if the process died on its own. */
  assertAlive(): void {
    if (this.crashed) throw new GiveUp(`${this.name} exited by itself (${this.child?.exitCode ?? this.child?.signalCode}):\n${this.output()}`);
  }

  output(): string {
    return this.tail.join('\n');
  }

  private keep(chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      this.tail.push(`[${this.name}#${this.starts}] ${line.slice(0, 500)}`);
    }
    this.tail.splice(0, Math.max(0, this.tail.length - TAIL_LINES));
  }
}

/** The Temporal CLI dev server on a database file, so its state survives a kill -9. */
export function temporalDevServer(port: number, dbFile: string): ManagedProcess {
  const args = devServerArgs({ port, dbFile, logLevel: 'error' });
  return new ManagedProcess('temporal', resolveTemporalCli(), args, { ...process.env });
}

/** `node --import tsx <entry>`: the real worker or gateway entry point. */
export function nodeService(name: string, entry: string, env: Record<string, string>): ManagedProcess {
  // A child must not think it is part of this file's test run.
  const { NODE_TEST_CONTEXT: _testContext, ...inherited } = process.env;
  return new ManagedProcess(name, process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { ...inherited, ...METRICS_OFF, ...env });
}

export async function waitForTemporal(server: ManagedProcess, address: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    async () => {
      server.assertAlive();
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        return Boolean(await connection.workflowService.getSystemInfo({}));
      } finally {
        await connection.close();
      }
    },
    { timeoutMs, intervalMs: 200, what: 'the Temporal dev server to answer' },
  );
}

/** The gateway is ready when /healthz says both the ledger and Temporal answer. */
export async function waitForGateway(gateway: ManagedProcess, url: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    async () => {
      gateway.assertAlive();
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      return res.status === 200;
    },
    { timeoutMs, intervalMs: 200, what: 'the gateway /healthz' },
  );
}
