/**
 * Pure mappings from one attempt to the labels and values the metrics record: kept apart from
 * prom-client so that the table in test/metrics/attempts.test.ts can pin them down.
 */

/** Every value the `status_class` label takes: a fixed set, whatever receivers answer. */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'other_status', 'timeout', 'tls', 'blocked', 'network', 'cancelled'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** What an attempt came back with, as far as the metrics care (a WebhookResponse fits). */
export type AttemptAnswer = { kind: 'response'; statusCode: number } | { kind: 'error'; error: string };

/**
 * The class of an attempt's answer. Network errors are told apart by the fixed phrases of
 * src/http/network-error.ts (never by an address), so the label stays a closed set.
 */
export function statusClassOf(answer: AttemptAnswer, cancelled = false): StatusClass {
  if (cancelled) return 'cancelled';
  if (answer.kind === 'response') {
    const hundreds = Math.floor(answer.statusCode / 100);
    return hundreds >= 2 && hundreds <= 5 ? (`${hundreds}xx` as StatusClass) : 'other_status';
  }
  if (/timed out/.test(answer.error)) return 'timeout';
  if (answer.error.startsWith('TLS handshake failed')) return 'tls';
  if (answer.error.startsWith('refused: non-public address')) return 'blocked';
  return 'network';
}

/**
 * Seconds from an event's acceptance to its delivery's first attempt, or undefined when this
 * attempt says nothing about that lag: a later attempt, or a backfill (a replay delivering an
 * event to a subscription created after it was accepted, which would read as days of lag).
 */
export function firstAttemptLagSeconds(input: {
  attempt: number;
  eventAcceptedAt: string;
  subscriptionCreatedAt: string;
  startedAt: number;
}): number | undefined {
  if (input.attempt !== 1) return undefined;
  const accepted = Date.parse(input.eventAcceptedAt);
  if (Number.isNaN(accepted) || Date.parse(input.subscriptionCreatedAt) > accepted) return undefined;
  return Math.max(0, input.startedAt - accepted) / 1000;
}
