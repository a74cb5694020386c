import { Context } from '@temporalio/activity';

/** How often a long activity tells Temporal it is alive (the SDK throttles what it sends). */
const BEAT_EVERY_MS = 1_000;

/**
 * Runs `work` while heartbeating, so that a worker killed in the middle is noticed after the
 * activity's short heartbeatTimeout instead of its whole startToCloseTimeout. Work that ends
 * within a second sends no heartbeat at all. `beat` lets loops report progress in between.
 */
export async function withHeartbeat<T>(work: (beat: () => void) => Promise<T>): Promise<T> {
  const context = Context.current();
  // A local activity cannot heartbeat: a lost worker is noticed by its workflow task's timeout.
  if (context.info.isLocal) return work(() => undefined);
  const beat = () => context.heartbeat();
  const timer = setInterval(beat, BEAT_EVERY_MS);
  try {
    return await work(beat);
  } finally {
    clearInterval(timer);
  }
}
