/** Failure types the activities throw; the workflows' retry policies and error handling key on them. */
export const FailureType = {
  /** An HTTP attempt failed; retryable until the schedule runs out. */
  AttemptFailed: 'AttemptFailed',
  /** The receiver answered 410 Gone: no more attempts, the subscription is disabled. */
  EndpointGone: 'EndpointGone',
  /** The subscription was deleted or disabled before the attempt. */
  SubscriptionInactive: 'SubscriptionInactive',
  /** The delivery had already been ended (e.g. cancelled) when the attempt came up. */
  DeliveryEnded: 'DeliveryEnded',
  /** The last attempt was not confirmed in time. */
  NotConfirmed: 'NotConfirmed',
  /** The endpoint is at its concurrency or rate limit: retried soon, not counted as an attempt. */
  Throttled: 'Throttled',
} as const;
