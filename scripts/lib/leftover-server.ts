// The Temporal dev server of an `npm run dev` that was killed outright (kill -9: nothing of it
// could stop its children) keeps running and holds the port. Its pid is kept in the data folder,
// so the next start can recognise it and stop it instead of refusing to start.
import fs from 'node:fs';
import { waitUntil } from './wait';

function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') || undefined; // empty: a zombie
  } catch {
    return undefined; // gone, or not Linux
  }
}

/** Remembers the server we started, with the database file that identifies it. */
export function rememberServer(pidFile: string, pid: number): void {
  fs.writeFileSync(pidFile, `${pid}\n`);
}

/**
 * Stops the server a previous run left behind: only a process whose command line is a dev server
 * on this same database file (a pid reused by anything else is left alone). True if it stopped one.
 */
export async function stopLeftoverServer(pidFile: string, dbFile: string): Promise<boolean> {
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : NaN;
  fs.rmSync(pidFile, { force: true });
  const cmd = Number.isInteger(pid) && pid > 0 ? commandLine(pid) : undefined;
  if (!cmd || !cmd.includes('start-dev') || !cmd.includes(dbFile)) return false;
  process.kill(pid, 'SIGTERM');
  await waitUntil(() => commandLine(pid) === undefined, { timeoutMs: 15_000, intervalMs: 100, what: `the leftover Temporal server (pid ${pid}) to stop` }).catch(() =>
    process.kill(pid, 'SIGKILL'),
  );
  return true;
}
