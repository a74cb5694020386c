/**
 * What the ledger tells whoever watches it (the metrics): transitions worth counting, each
 * reported once, by the call that made it, after its transaction committed. A repeated call that
 * finds the row already moved reports nothing, so a retried activity never counts twice.
 */
export interface LedgerObserver {
  /** `count` deliveries were just moved into the final status `status`. */
  deliveriesEnded(status: 'succeeded' | 'failed' | 'cancelled', count: number): void;
}

export const NO_OBSERVER: LedgerObserver = { deliveriesEnded: () => {} };
