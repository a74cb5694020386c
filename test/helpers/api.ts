import type { z } from 'zod';
import { isFinal } from '../../src/delivery/status';
import type { Attempt, createSubscriptionSchema, Delivery, Subscription } from '../../src/model';
import type { Stack } from './stack';
import { waitUntil } from './wait';

export type DeliveryWithAttempts = Delivery & { attempts: Attempt[] };
export type EventView = { id: string; type: string; status: string; deliveries: Delivery[] };

export async function createSubscription(
  stack: Stack,
  body: z.input<typeof createSubscriptionSchema>,
): Promise<Subscription & { secret: string }> {
  const res = await stack.api('POST', '/v1/subscriptions', { tenantId: 'default', ...body });
  if (res.status !== 201) throw new Error(`create subscription: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown as Subscription & { secret: string };
}

export async function getEvent(stack: Stack, id: string): Promise<EventView> {
  return (await stack.api('GET', `/v1/events/${encodeURIComponent(id)}`)).body as unknown as EventView;
}

export async function getDelivery(stack: Stack, id: string): Promise<DeliveryWithAttempts> {
  return (await stack.api('GET', `/v1/deliveries/${id}`)).body as unknown as DeliveryWithAttempts;
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
