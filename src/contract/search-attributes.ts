/** The search attributes every webhook workflow carries, for the Web UI's and CLI's list filters. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const WebhookEventId = defineSearchAttributeKey('WebhookEventId', SearchAttributeType.KEYWORD);
export const WebhookEventType = defineSearchAttributeKey('WebhookEventType', SearchAttributeType.KEYWORD);
export const WebhookSubscriptionId = defineSearchAttributeKey('WebhookSubscriptionId', SearchAttributeType.KEYWORD);

/** The tenant a delivery's subscription belongs to, or an event's tenant (none on a broadcast event). */
export const WebhookTenantId = defineSearchAttributeKey('WebhookTenantId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [WebhookEventId, WebhookEventType, WebhookSubscriptionId, WebhookTenantId] as const;
