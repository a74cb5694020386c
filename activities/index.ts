import type { Dispatcher } from 'undici';
import type { Logger } from '../src/logger';
import type { Ledger } from '../src/store/ledger';
import { createDeliver } from './deliver';

export interface ActivityDeps {
  ledger: Ledger;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Subscriptions matched and delivery rows written per prepareDeliveries call. */
  fanOutPageSize?: number;
}

export const DEFAULT_FAN_OUT_PAGE_SIZE = 100;

/** Builds the worker's activities around their dependencies, as the samples do. */
export function createActivities(deps: ActivityDeps) {
  const { ledger } = deps;
  return {
    deliver: createDeliver(deps),

    /** One page of matching subscriptions, each with its delivery row written. */
    async prepareDeliveries(input: { eventId: string; eventType: string; after?: string }) {
      const pageSize = deps.fanOutPageSize ?? DEFAULT_FAN_OUT_PAGE_SIZE;
      const page = await ledger.prepareDeliveries(input.eventId, input.eventType, input.after, pageSize);
      if (page.nextCursor === null) await ledger.markEventDispatched(input.eventId);
      return page;
    },

    /** Ends a delivery that stopped without a final attempt: cancelled, or its last attempt was lost. */
    async endDelivery(input: { deliveryId: string; status: 'failed' | 'cancelled'; reason: string }) {
      await ledger.endDelivery(input.deliveryId, input.status, input.reason);
      deps.logger.info({ deliveryId: input.deliveryId, status: input.status }, 'delivery ended');
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
