import type { Ledger } from '../../src/store/ledger';
import { isFinal } from '../../src/delivery/status';

/** How often an attempt still waiting for its receiver looks at its delivery in the ledger. */
const WATCH_EVERY_MS = 1_000;

/**
 * Aborts an attempt whose delivery has ended meanwhile, e.g. cancelled: its workflow records the
 * end at once, but Temporal tells a running activity only at its next heartbeat (up to 12 s), and
 * a hanging receiver would hold the request, and the tenant's slot, until then. A read per second
 * per attempt that is still waiting; attempts that are answered within a second never read.
 */
export function watchDeliveryEnd(ledger: Ledger, deliveryId: string): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const timer = setInterval(() => {
    ledger.deliveries.get(deliveryId).then(
      (delivery) => {
        if (delivery && isFinal(delivery.status)) controller.abort(new Error(`delivery ${delivery.status} while its attempt was in flight`));
      },
      () => undefined, // an unreadable ledger aborts nothing: the heartbeat still brings a cancel
    );
  }, WATCH_EVERY_MS);
  timer.unref();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}
