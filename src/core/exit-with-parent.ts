/**
 * `npm run dev` names its own pid in this variable for the worker and gateway it starts. Were it
 * killed without a chance to stop them (SIGKILL, a crash), they would run on as orphans, a worker
 * that cannot reach Temporal retrying forever; with it set, they exit by themselves instead.
 */
export const PARENT_PID_ENV = 'WEBHOOK_RELAY_PARENT_PID';

/** How often the parent is looked for: a signal 0, cheap enough to do every second. */
const CHECK_INTERVAL_MS = 1000;

/**
 * Exits the process (code 1) once the process named by WEBHOOK_RELAY_PARENT_PID is gone; does
 * nothing when it is unset. The check runs on an unref'd timer, so it never keeps a process alive.
 */
export function exitWithParent(
  env: NodeJS.ProcessEnv = process.env,
  onGone: (parentPid: number) => void = exitNow,
): NodeJS.Timeout | undefined {
  const parentPid = Number(env[PARENT_PID_ENV]);
  if (!Number.isInteger(parentPid) || parentPid <= 0) return undefined;
  // A direct child is re-parented the moment its parent dies, even before the parent is reaped.
  const direct = process.ppid === parentPid;
  const timer = setInterval(() => {
    if ((direct && process.ppid !== parentPid) || !alive(parentPid)) {
      clearInterval(timer);
      onGone(parentPid);
    }
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return timer;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function exitNow(parentPid: number): void {
  console.error(`the process that started this one (pid ${parentPid}) is gone; exiting`);
  process.exit(1);
}
