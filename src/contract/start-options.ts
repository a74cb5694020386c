import { tenantPriority } from './fairness';
import type { DeliveryPlan, DeliveryWorkflowInput } from './inputs';
import { deliveryWorkflowId } from './ids';
import { WebhookEventId, WebhookEventType, WebhookSubscriptionId, WebhookTenantId } from './search-attributes';

/**
 * Start options shared by the event workflow (starting a child) and the gateway (re-running a
 * delivery), so every run of a delivery looks the same in the Web UI and in list queries. A run
 * carries its subscription's tenant as fairness key (a broadcast's children too), and makes every
 * attempt in the regular activity: a local one would hold a workflow task slot for as long as its
 * receiver hangs (see docs/reliability.md, 'Fair use').
 */
export function deliveryStartOptions(eventId: string, eventType: string, plan: DeliveryPlan, attemptOffset: number) {
  const input: DeliveryWorkflowInput = { ...plan, eventId, eventType, attemptOffset };
  return {
    workflowId: deliveryWorkflowId(eventId, plan.subscriptionId),
    priority: tenantPriority(plan.tenantId),
    args: [input] as [DeliveryWorkflowInput],
    typedSearchAttributes: [
      { key: WebhookEventId, value: eventId },
      { key: WebhookEventType, value: eventType },
      { key: WebhookSubscriptionId, value: plan.subscriptionId },
      ...(plan.tenantId === undefined ? [] : [{ key: WebhookTenantId, value: plan.tenantId }]),
    ],
    memo: { eventType, subscriptionUrl: plan.displayUrl },
    staticSummary: `${plan.sequence === undefined ? '' : `#${plan.sequence} `}${eventType} → ${plan.displayUrl}`,
    staticDetails: `Event \`${eventId}\` to subscription \`${plan.subscriptionId}\`, ${plan.retrySchedule.length} attempts at most${
      plan.confirmationTimeoutMs === null ? '' : `, each confirmed within ${plan.confirmationTimeoutMs} ms`
    }.`,
  };
}
