// Child processes that can always be stopped: each runs in a process group of its own, and every
// signal goes to the whole group, so whatever a child started goes with it.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/** Spawns `command` as the leader of a new process group (and session): a terminal's Ctrl-C reaches only us. */
export function spawnInGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
}

export function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` to the child's whole process group; a group already gone is no error. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: nothing of the group is left
  }
}

/**
 * SIGTERM to the group, SIGKILL after `graceMs` if its leader has not exited by then (a Temporal
 * worker still connecting catches SIGTERM through the SDK's Runtime and may never exit on it),
 * and SIGKILL to whatever else of the group is left once it has. Resolves when the leader exited.
 */
export function stopGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (!running(child)) {
    signalGroup(child, 'SIGKILL');
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      signalGroup(child, 'SIGKILL');
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}

/**
 * Kills every group still running at once, synchronously: for the process's 'exit' event, where
 * nothing asynchronous runs any more (an uncaught error, a process.exit from anywhere).
 */
export function killGroupsNow(children: readonly ChildProcess[]): void {
  for (const child of children) if (running(child)) signalGroup(child, 'SIGKILL');
}
