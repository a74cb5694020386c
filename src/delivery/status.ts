/**
 * The delivery status rules, stated once: the ledger, the operations and the reconciler all read
 * them from here.
 */
import { z } from 'zod';

/** Where a delivery stands: the API's and the ledger's vocabulary. */
export const deliveryStatusSchema = z.enum([
  'pending',
  'delivering',
  'awaiting_confirmation',
  'succeeded',
  'failed',
  'cancelled',
]);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** States a delivery never leaves: writes that would move it out of them are ignored. */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['succeeded', 'failed', 'cancelled'];

/** States in which some workflow should be moving the delivery on. */
export const OPEN_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivering', 'awaiting_confirmation'];

export const isFinal = (status: DeliveryStatus): boolean => FINAL_STATUSES.includes(status);

/** Everything but a success can be run again (retry), whatever state it was left in. */
export const isRetryable = (status: DeliveryStatus): boolean => status !== 'succeeded';
