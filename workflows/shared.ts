/**
 * Names both sides agree on: the gateway and worker import them, and so do the workflows.
 * Deterministic code only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const WebhookEventId = defineSearchAttributeKey('WebhookEventId', SearchAttributeType.KEYWORD);
export const WebhookEventType = defineSearchAttributeKey('WebhookEventType', SearchAttributeType.KEYWORD);
export const WebhookSubscriptionId = defineSearchAttributeKey('WebhookSubscriptionId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [WebhookEventId, WebhookEventType, WebhookSubscriptionId] as const;

/** The event workflow's id: one per event id, which is what makes posting an event idempotent. */
export const eventWorkflowId = (eventId: string) => `event:${eventId}`;

/** One delivery workflow per (event, subscription); subscription ids hold no ':' so this is unambiguous. */
export const deliveryWorkflowId = (eventId: string, subscriptionId: string) => `delivery:${eventId}:${subscriptionId}`;

/** Failure types the deliver activity throws; the workflow's retry policy and error handling key on them. */
export const FailureType = {
  /** An HTTP attempt failed; retryable until the schedule runs out. */
  AttemptFailed: 'AttemptFailed',
  /** The receiver answered 410 Gone: no more attempts, the subscription is disabled. */
  EndpointGone: 'EndpointGone',
  /** The subscription was deleted or disabled before the attempt. */
  SubscriptionInactive: 'SubscriptionInactive',
  /** The delivery had already been ended (e.g. cancelled) when the attempt came up. */
  DeliveryEnded: 'DeliveryEnded',
} as const;

export interface EventWorkflowInput {
  eventId: string;
  eventType: string;
}

export interface EventWorkflowResult {
  deliveries: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface DeliveryWorkflowInput {
  deliveryId: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  /** Delay in ms before each attempt; its length is the number of attempts. */
  retrySchedule: number[];
  timeoutMs: number;
  /** Attempts already made by earlier runs, so numbers continue across a manual retry. */
  attemptOffset: number;
}

export interface DeliverResult {
  attempt: number;
  statusCode: number;
  durationMs: number;
}
