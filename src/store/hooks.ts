import type { Kysely } from 'kysely';
import { NO_OBSERVER, ObserverList } from './observer';
import { OperationalEvents } from './operational-events';
import type { Database } from './schema';

/** What the query classes that move deliveries and endpoints need besides the database. */
export interface LedgerHooks {
  /** Hears of what a committed transaction changed. */
  observer: ObserverList;
  /** Records the operational events a change makes, inside its transaction. */
  operational: OperationalEvents;
}

/** For query classes used alone (tests): nothing watches, no operations tenant. */
export const noHooks = (): LedgerHooks => ({ observer: new ObserverList(NO_OBSERVER), operational: new OperationalEvents(undefined) });

/** The query classes that move deliveries and endpoints: they report to the observer and record operational events. */
export abstract class HookedQueries {
  readonly observer: ObserverList;
  readonly operational: OperationalEvents;

  constructor(
    readonly db: Kysely<Database>,
    hooks: LedgerHooks = noHooks(),
  ) {
    ({ observer: this.observer, operational: this.operational } = hooks);
  }
}
