import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** A port the OS just handed out on 127.0.0.1 (closed again, so a child can bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** The last few KB of stdout+stderr, for error messages. */
  output(): string;
}

const OUTPUT_TAIL_BYTES = 16_384;
const running = new Set<Proc>();

/**
 * Spawns a child in its own process group (detached) so stopping it also stops anything it started.
 * Output is piped and drained into a short tail: a full pipe would otherwise stall the child.
 */
export function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Proc {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  let tail = '';
  // A Go crash (the Temporal server) names its cause first, then dumps every goroutine: the tail
  // alone would hold only the dump.
  let crash = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (!crash) {
      const at = text.search(/^(panic|fatal error):/m);
      if (at >= 0) crash = text.slice(at, at + 2_048);
    }
    tail = (tail + text).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
    child.once('error', (err) => {
      keep(Buffer.from(`spawn error: ${err.message}\n`));
      done = true;
      resolve(-1);
    });
  });
  const proc: Proc = { name, pid: child.pid, child, exited, hasExited: () => done, output: () => (crash ? `${crash}\n[…]\n${tail}` : tail) };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

function signalGroup(proc: Proc, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the process group, SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(proc: Proc, graceMs = 5_000): Promise<void> {
  if (proc.hasExited()) return;
  signalGroup(proc, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([proc.exited, timer])) === 'timeout') {
    signalGroup(proc, 'SIGKILL');
    await proc.exited;
  }
}

/** Synchronous last resort, safe inside an 'exit' handler. */
export function killAllNow(): void {
  for (const proc of running) signalGroup(proc, 'SIGKILL');
}

/** Every child dies with the benchmark: on normal exit, on errors and on SIGINT/SIGTERM/SIGHUP. */
export function installCleanup(): void {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n[bench] ${signal}: stopping child processes`);
      killAllNow();
      process.exit(130);
    });
  }
}

// Linux /proc readings. Peak RSS comes from VmHWM (the kernel's own high-water mark), CPU from
// utime+stime, which include every thread (Go runtime threads, the worker's workflow threads).

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ; 100 on every mainstream Linux build

/** A memory figure from /proc/<pid>/status, in MB. */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb === undefined ? undefined : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

/** The most memory the process has held so far. */
export const peakRssMb = (pid: number): number | undefined => statusMb(pid, 'VmHWM');
/** The memory the process holds now. */
export const rssMb = (pid: number): number | undefined => statusMb(pid, 'VmRSS');

export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export { GiveUp, waitUntil } from '../scripts/lib/wait';
