import { matchesFilter } from './evaluate';
import { matchesPattern } from './event-types';
import type { Filter } from './types';

/** A subscription as the receive rule sees it. */
export interface Receiver {
  id: string;
  tenantId: string;
  eventTypes: readonly string[];
  filter: Filter | null;
}

/** An event as the receive rule sees it; each id is null when the event has none. */
export interface Receivable {
  type: string;
  data: Record<string, unknown>;
  /** null for a broadcast. */
  tenantId: string | null;
  /** A test event's one subscription. */
  targetSubscriptionId: string | null;
  /** The endpoint an operational event is about. */
  aboutSubscriptionId: string | null;
}

/**
 * Whether a subscription receives an event: the one rule of the fan-out and of replay, so a
 * replay re-delivers exactly what the fan-out delivered.
 * - Never an operational event about itself: a failing endpoint cannot feed itself.
 * - A test event reaches its one subscription, whatever types and filter that has.
 * - Otherwise an event of its tenant (or a broadcast), of one of its types, whose data passes its filter.
 * Whether the subscription is active is the caller's to check.
 */
export function receives(subscription: Receiver, event: Receivable): boolean {
  if (event.aboutSubscriptionId === subscription.id) return false;
  if (event.targetSubscriptionId !== null) return event.targetSubscriptionId === subscription.id;
  if (event.tenantId !== null && event.tenantId !== subscription.tenantId) return false;
  if (!subscription.eventTypes.some((pattern) => matchesPattern(pattern, event.type))) return false;
  return subscription.filter === null || matchesFilter(subscription.filter, event.data);
}
