import type { RecordedEvent } from './operational-events';

/**
 * What the ledger tells whoever watches it (the metrics, the dispatcher): transitions worth
 * acting on, each reported once, by the call that made it, after its transaction committed. A
 * repeated call that finds the row already moved reports nothing, so a retried activity never
 * counts twice.
 */
export interface LedgerObserver {
  /** `count` deliveries were just moved into the final status `status`. */
  deliveriesEnded(status: 'succeeded' | 'failed' | 'cancelled', count: number): void;
  /** Events the ledger recorded itself (operational events), to be started like accepted ones. */
  eventsRecorded?(events: RecordedEvent[]): void;
}

export const NO_OBSERVER: LedgerObserver = { deliveriesEnded: () => {} };

/** Several observers as one: the query classes are given this, and watchers join it later. */
export class ObserverList implements LedgerObserver {
  private readonly observers: LedgerObserver[];

  constructor(first: LedgerObserver) {
    this.observers = [first];
  }

  /** Adds an observer; returns what removes it again. */
  add(observer: LedgerObserver): () => void {
    this.observers.push(observer);
    return () => {
      const at = this.observers.indexOf(observer);
      if (at >= 0) this.observers.splice(at, 1);
    };
  }

  deliveriesEnded(status: 'succeeded' | 'failed' | 'cancelled', count: number): void {
    if (count > 0) for (const o of this.observers) o.deliveriesEnded(status, count);
  }

  eventsRecorded(events: RecordedEvent[]): void {
    if (events.length > 0) for (const o of this.observers) o.eventsRecorded?.(events);
  }
}
