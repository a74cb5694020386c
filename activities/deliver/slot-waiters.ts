/**
 * Attempts waiting for a slot of a pool (a tenant's attemptsInFlight) in this worker, woken the
 * moment an attempt of this worker gives one back. A burst of a tenant's quick attempts then
 * queues here for milliseconds instead of being deferred (a retry through Temporal, at least
 * half a second later); slots given back by other workers are found by polling.
 */
const waiters = new Map<string, Set<() => void>>();

/** Resolves when a slot of `pool` comes back in this process, or after `ms`. */
export function slotReleased(pool: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const set = waiters.get(pool) ?? new Set<() => void>();
    waiters.set(pool, set);
    const wake = () => {
      clearTimeout(timer);
      set.delete(wake);
      if (set.size === 0) waiters.delete(pool);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    set.add(wake);
  });
}

/** Wakes every attempt waiting for `pool`: they race for the slot again, the losers wait again. */
export function releaseSlot(pool: string): void {
  for (const wake of [...(waiters.get(pool) ?? [])]) wake();
}
