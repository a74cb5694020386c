import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { STATUS_CLASSES, type StatusClass } from './attempts';

// Every label below takes values from one of these closed sets, never from a request: the
// number of series is fixed by the code, whatever the traffic (docs/observability.md, "The metrics").
export const INTAKES = ['single', 'batch'] as const;
export const INTAKE_RESULTS = ['new', 'repeat'] as const;
export const DELIVERY_OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const;
export const DEFERRAL_LIMITS = ['max_concurrency', 'rate_limit', 'tenant_attempts_in_flight'] as const;
export const REPAIRS = ['event_started', 'event_ended', 'delivery_started', 'delivery_ended'] as const;
export const ENDPOINT_STATES = ['healthy', 'failing', 'disabled'] as const;
export const QUOTA_LIMITS = ['requestsPerSecond', 'subscriptions', 'testEventsPerMinute', 'concurrentJobs'] as const;

export type Intake = (typeof INTAKES)[number];
export type IntakeResult = (typeof INTAKE_RESULTS)[number];
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];
export type DeferralLimit = (typeof DEFERRAL_LIMITS)[number];
export type Repair = (typeof REPAIRS)[number];
export type EndpointState = (typeof ENDPOINT_STATES)[number];
export type QuotaLimit = (typeof QUOTA_LIMITS)[number];

/** The metric names, for the dashboard check and the tests. */
export const METRIC = {
  eventsAccepted: 'webhook_events_accepted_total',
  deliveriesCompleted: 'webhook_deliveries_completed_total',
  attempts: 'webhook_attempts_total',
  attemptDuration: 'webhook_attempt_duration_seconds',
  firstAttemptLag: 'webhook_accept_to_first_attempt_seconds',
  attemptsInFlight: 'webhook_attempts_in_flight',
  attemptsDeferred: 'webhook_attempts_deferred_total',
  endpoints: 'webhook_endpoints',
  reconcilerRepairs: 'webhook_reconciler_repairs_total',
  quotaRefusals: 'webhook_quota_refusals_total',
  dispatchBacklog: 'webhook_dispatch_backlog',
  dispatchQueued: 'webhook_dispatch_queued',
} as const;

/** What the ledger reports: deliveries it moved into a final status (each counted by the process that moved it). */
export interface DeliveryOutcomeMetrics {
  deliveriesEnded(outcome: DeliveryOutcome, count: number): void;
}

export interface GatewayMetrics extends DeliveryOutcomeMetrics {
  readonly registry: Registry;
  eventsAccepted(intake: Intake, result: IntakeResult, count: number): void;
  /** A tenant's caller answered 429 by one of its quotas. */
  quotaRefused(limit: QuotaLimit): void;
  /** Where the dispatch gauges read from, at each scrape (the gateway's dispatcher). */
  watchDispatch(source: DispatchSource): void;
}

/** The dispatcher as its gauges see it. */
export interface DispatchSource {
  /** Accepted events not yet fanned out, ledger-wide (read fresh for the scrape). */
  backlog(): Promise<number>;
  /** Events this gateway accepted and has not started yet. */
  readonly pending: number;
}

export interface WorkerMetrics extends DeliveryOutcomeMetrics {
  readonly registry: Registry;
  attemptFinished(statusClass: StatusClass, durationSeconds: number): void;
  firstAttemptLag(seconds: number): void;
  /** Counts an attempt in flight until the returned function is called. */
  attemptInFlight(): () => void;
  attemptDeferred(limit: DeferralLimit): void;
  repaired(repair: Repair, count: number): void;
}

export interface MetricsOptions {
  /** prom-client's process metrics (CPU, memory, event loop lag, GC). Off in tests that only read ours. */
  defaultMetrics?: boolean;
}

function newRegistry(options: MetricsOptions): Registry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** A counter with every label combination present at 0 from the start, so rate() sees its first increase. */
function counter<L extends string>(registry: Registry, name: string, help: string, labels: Record<L, readonly string[]>): Counter<L> {
  const names = Object.keys(labels) as L[];
  const metric = new Counter<L>({ name, help, labelNames: names, registers: [registry] });
  const combos = names.reduce<Record<string, string>[]>((acc, n) => acc.flatMap((c) => labels[n].map((v) => ({ ...c, [n]: v }))), [{}]);
  for (const combo of combos) metric.inc(combo as Partial<Record<L, string>>, 0);
  return metric;
}

function outcomesCounter(registry: Registry): DeliveryOutcomeMetrics {
  const completed = counter(registry, METRIC.deliveriesCompleted, 'Deliveries moved into a final status in the ledger, by that status (counted once, by the process that moved it)', {
    outcome: DELIVERY_OUTCOMES,
  });
  return { deliveriesEnded: (outcome, count) => completed.inc({ outcome }, count) };
}

/** The gateway's metrics, in a registry of their own (one per app, so in-process tests never collide). */
export function createGatewayMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = newRegistry(options);
  const accepted = counter(registry, METRIC.eventsAccepted, 'Events posted and answered 202 (new) or 200 (a repeat of a recorded event), by intake route', {
    intake: INTAKES,
    result: INTAKE_RESULTS,
  });
  const refused = counter(registry, METRIC.quotaRefusals, "Requests of tenants' callers refused with 429, by the quota they were over (no tenant label: the set of tenants is open)", {
    limit: QUOTA_LIMITS,
  });
  return {
    registry,
    ...outcomesCounter(registry),
    eventsAccepted: (intake, result, count) => accepted.inc({ intake, result }, count),
    quotaRefused: (limit) => refused.inc({ limit }),
    watchDispatch: dispatchGauges(registry),
  };
}

/** The two dispatch gauges; they read nothing until a dispatcher is being watched. */
function dispatchGauges(registry: Registry): (source: DispatchSource) => void {
  let watched: DispatchSource | undefined;
  new Gauge({
    name: METRIC.dispatchBacklog,
    help: 'Events accepted and not yet fanned out into deliveries (status accepted), in the whole ledger: where a burst waits',
    registers: [registry],
    async collect() {
      // A failed read keeps the last value: the scrape itself must not fail.
      if (watched) this.set(await watched.backlog().catch(() => NaN));
    },
  });
  new Gauge({
    name: METRIC.dispatchQueued,
    help: "Events this gateway accepted whose workflow it has not started yet (queued or starting)",
    registers: [registry],
    collect() {
      if (watched) this.set(watched.pending);
    },
  });
  return (source) => (watched = source);
}

export interface WorkerMetricsOptions extends MetricsOptions {
  /** Subscriptions by health state, read from the ledger at each scrape. */
  endpointStates?: () => Promise<Record<EndpointState, number>>;
  /** Told when that read fails; the gauge then keeps its last values. */
  onCollectError?: (err: unknown) => void;
}

/** Attempt durations: receivers' timeouts go up to 30 s by default. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Accept-to-first-attempt: tens of milliseconds when healthy, minutes in a backlog. */
const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** The gauge of subscriptions by health state, computed from the ledger when Prometheus scrapes. */
function endpointsGauge(registry: Registry, options: WorkerMetricsOptions): void {
  const read = options.endpointStates;
  if (!read) return;
  new Gauge({
    name: METRIC.endpoints,
    help: 'Subscriptions (endpoints) by health: healthy, failing (attempts failing since failing_since), or disabled',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      try {
        const states = await read();
        for (const state of ENDPOINT_STATES) this.set({ state }, states[state]);
      } catch (err) {
        options.onCollectError?.(err);
      }
    },
  });
}

/** The worker's metrics, in a registry of their own. */
export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = newRegistry(options);
  const attempts = counter(registry, METRIC.attempts, 'HTTP attempts that got an answer or an error, by status class', { status_class: STATUS_CLASSES });
  const duration = new Histogram({
    name: METRIC.attemptDuration,
    help: 'How long attempts took, request sent to answer read, by status class',
    labelNames: ['status_class'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const lag = new Histogram({
    name: METRIC.firstAttemptLag,
    help: "Seconds from an event's acceptance to the start of a delivery's first attempt",
    buckets: LAG_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({ name: METRIC.attemptsInFlight, help: 'Attempts being sent right now by this worker', registers: [registry] });
  const deferred = counter(registry, METRIC.attemptsDeferred, "Attempts put off (not counted as attempts) because the endpoint was at a limit", { limit: DEFERRAL_LIMITS });
  const repairs = counter(registry, METRIC.reconcilerRepairs, 'Events and deliveries the reconciler found stranded and started or ended', { repair: REPAIRS });
  endpointsGauge(registry, options);
  return {
    registry,
    ...outcomesCounter(registry),
    attemptFinished(statusClass, seconds) {
      attempts.inc({ status_class: statusClass });
      duration.observe({ status_class: statusClass }, seconds);
    },
    firstAttemptLag: (seconds) => lag.observe(seconds),
    attemptInFlight() {
      inFlight.inc();
      let done = false;
      return () => {
        if (!done) inFlight.dec();
        done = true;
      };
    },
    attemptDeferred: (limit) => deferred.inc({ limit }),
    repaired: (repair, count) => repairs.inc({ repair }, count),
  };
}
