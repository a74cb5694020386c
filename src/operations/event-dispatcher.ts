import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { DispatchBacklogFullError } from '../model/errors';
import type { Logger } from '../core/logger';
import { startEventWorkflow } from '../temporal/event-workflow';
import { RoundRobinQueue } from '../core/round-robin-queue';
import type { ServiceDeps } from './deps';
import { isTemporalUnavailable } from '../temporal/deadline';

/** Broadcasts take their turn as one more tenant. */
const queueKey = (event: DispatchItem) => event.tenantId ?? '';

/** What starting an event's workflow needs: the ledger row's id, type and tenant. */
export interface DispatchItem {
  id: string;
  type: string;
  tenantId: string | null;
}

export interface DispatcherOptions {
  /** DISPATCH_CONCURRENCY: workflow starts in flight at once. */
  concurrency: number;
  /** DISPATCH_BACKLOG_LIMIT: accepted events not yet fanned out above which intake answers 503. */
  backlogLimit: number;
}

/** How stale the ledger's backlog count may be: it is read at most this often, whatever the intake rate. */
const BACKLOG_READ_INTERVAL_MS = 500;
/** After Temporal was unreachable, the first start is tried again after this long, doubling to the max. */
const UNAVAILABLE_BACKOFF_MS = { first: 250, max: 15_000 };
/** What a refused producer is told to wait (Retry-After): a backlog over the limit drains in about this long at a few thousand events a minute. */
export const BACKLOG_RETRY_AFTER_SECONDS = 5;

/**
 * Starts event workflows after the 202, off the request path. Each accepted event is queued (per
 * tenant in acceptance order, tenants served in turn) and started at once unless `concurrency`
 * starts are in flight. Temporal unreachable: the queue waits (backing off) and nothing is
 * dropped. A start Temporal refuses, and
 * whatever this process still held when it died, is left `accepted` in the ledger, where the
 * reconciler starts it (RECONCILE_GRACE). Starts are idempotent on the workflow id (event id), so
 * this, another gateway and the reconciler never start one event twice.
 */
export class EventDispatcher {
  /** By tenant, served in turn: one tenant's burst does not hold up another's events. */
  private readonly queue = new RoundRobinQueue<DispatchItem>();
  private starting = 0;
  private stopped = false;
  private pausedUntil = 0;
  private backoffMs = UNAVAILABLE_BACKOFF_MS.first;
  private resumeTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private counted = { ledger: 0, acceptedSince: 0, readAt: -Infinity, reading: undefined as Promise<void> | undefined };

  constructor(
    private readonly deps: ServiceDeps & { logger: Logger },
    private readonly options: DispatcherOptions,
  ) {}

  /** Events recorded and not yet started here: queued plus starts in flight. */
  get pending(): number {
    return this.queue.size + this.starting;
  }

  /** Accepted events not yet fanned out, ledger-wide, as last read plus what this process accepted since. */
  get backlogEstimate(): number {
    return this.counted.ledger + this.counted.acceptedSince;
  }

  /**
   * Refuses intake (503, nothing written) while the ledger's backlog of accepted events not yet
   * fanned out is over the limit. The count is at most half a second old, so several gateways
   * together may pass the limit by what they accept in that time.
   */
  async admit(count: number): Promise<void> {
    await this.refreshBacklog();
    if (this.backlogEstimate + count > this.options.backlogLimit) {
      throw new DispatchBacklogFullError(this.backlogEstimate, this.options.backlogLimit, BACKLOG_RETRY_AFTER_SECONDS);
    }
  }

  /** The backlog read from the ledger now (for the metrics scrape). */
  async backlog(): Promise<number> {
    this.counted.readAt = -Infinity;
    await this.refreshBacklog();
    return this.backlogEstimate;
  }

  /** Queues recorded events (in acceptance order) and starts what the concurrency allows. */
  enqueue(events: DispatchItem[]): void {
    for (const event of events) this.queue.push(queueKey(event), { id: event.id, type: event.type, tenantId: event.tenantId });
    this.counted.acceptedSince += events.length;
    this.pump();
  }

  /**
   * Starts the events this process's ledger records itself (operational events) as it records
   * them; returns what stops listening. One that is lost with the process waits for the reconciler.
   */
  startRecordedEvents(): () => void {
    // Each starts a trace of its own: not a branch of the attempt or request whose change it tells of.
    return this.deps.ledger.watch({ deliveriesEnded: () => {}, eventsRecorded: (events) => context.with(ROOT_CONTEXT, () => this.enqueue(events)) });
  }

  /** Resolves once nothing is queued or starting, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.pending === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter = () => {};
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push((waiter = resolve))),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs).unref())),
    ]);
    clearTimeout(timer);
    this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
  }

  /**
   * For a gateway shutting down: starts what it holds for up to `graceMs`, then starts nothing
   * more and waits for the starts in flight (each has a deadline), so the Temporal connection can
   * close under none. What is still queued stays `accepted` for the reconciler.
   */
  async stop(graceMs: number): Promise<void> {
    await this.drain(graceMs);
    this.stopped = true;
    clearTimeout(this.resumeTimer);
    while (this.starting > 0) await this.drain(100);
  }

  private pump(): void {
    if (this.stopped) return;
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) return this.resumeAfter(wait);
    while (this.starting < this.options.concurrency && this.queue.size > 0) {
      const event = this.queue.shift()!;
      this.starting++;
      void this.start(event).finally(() => {
        this.starting--;
        this.notifyIdle();
        this.pump();
      });
    }
  }

  private async start(event: DispatchItem): Promise<void> {
    try {
      await startEventWorkflow(this.deps, event, 'first');
      this.backoffMs = UNAVAILABLE_BACKOFF_MS.first;
    } catch (err) {
      if (isTemporalUnavailable(err)) return this.retryLater(event, err);
      this.deps.logger.error({ err, eventId: event.id }, 'Temporal refused the workflow of a recorded event; the reconciler will start it');
    }
  }

  /** Temporal unreachable: the event goes back to the front and the queue pauses, backing off. */
  private retryLater(event: DispatchItem, err: unknown): void {
    this.queue.unshift(queueKey(event), event);
    if (this.pausedUntil <= Date.now()) {
      this.deps.logger.warn({ err, queued: this.pending, retryInMs: this.backoffMs }, 'Temporal unavailable: accepted events wait to be started');
      this.pausedUntil = Date.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, UNAVAILABLE_BACKOFF_MS.max);
    }
  }

  private resumeAfter(ms: number): void {
    if (this.resumeTimer) return;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.pump();
    }, ms).unref();
  }

  /** Tells drain() when all is done. */
  private notifyIdle(): void {
    if (this.pending > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async refreshBacklog(): Promise<void> {
    const b = this.counted;
    if (performance.now() - b.readAt < BACKLOG_READ_INTERVAL_MS) return;
    b.reading ??= this.deps.ledger.events
      .acceptedBacklog()
      .then((count) => {
        b.ledger = count;
        b.acceptedSince = 0;
        b.readAt = performance.now();
      })
      .finally(() => (b.reading = undefined));
    await b.reading;
  }
}
