import type { DeliveryWithAttempts, EventWithDeliveries, NewSubscription, SubscriptionWithSecret } from '../../clients/typescript/src';
import { isFinal } from '../../src/delivery/status';
import type { Stack } from './stack';
import { waitUntil } from './wait';

export type { DeliveryWithAttempts, EventWithDeliveries };

/** A subscription of the tenant `default` unless the body names another. */
export async function createSubscription(stack: Stack, body: Omit<NewSubscription, 'tenantId'> & { tenantId?: string }): Promise<SubscriptionWithSecret> {
  return stack.client.subscriptions.create({ tenantId: 'default', ...body });
}

export async function getEvent(stack: Stack, id: string): Promise<EventWithDeliveries> {
  return stack.client.events.get(id);
}

export async function getDelivery(stack: Stack, id: string): Promise<DeliveryWithAttempts> {
  return stack.client.deliveries.get(id);
}

/** Waits until the event is fanned out to `count` deliveries and all of them ended; returns them with attempts. */
export async function waitForEventDone(stack: Stack, eventId: string, count: number, timeoutMs = 30_000) {
  const event = await waitUntil(
    async () => {
      const e = await getEvent(stack, eventId);
      const done = e.status === 'dispatched' && e.deliveries.length === count && e.deliveries.every((d) => isFinal(d.status));
      return done && e;
    },
    { timeoutMs, what: `event ${eventId} to finish ${count} deliveries` },
  );
  return Promise.all(event.deliveries.map((d) => getDelivery(stack, d.id)));
}
