/** The search attributes every webhook workflow carries, for the Web UI's and CLI's list filters. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const WebhookEventId = defineSearchAttributeKey('WebhookEventId', SearchAttributeType.KEYWORD);
export const WebhookEventType = defineSearchAttributeKey('WebhookEventType', SearchAttributeType.KEYWORD);
export const WebhookSubscriptionId = defineSearchAttributeKey('WebhookSubscriptionId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [WebhookEventId, WebhookEventType, WebhookSubscriptionId] as const;
