// The large fan-out, watched from the outside while it runs: the ledger (recorded, attempted,
// succeeded) and the receiver (first attempts), until every delivery settled or the deadline
// passed. Never throws for slowness: a passed deadline is reported as how far it got.
import type { BenchReceiver } from './receiver';
import { round } from './report';
import { deathCheck, type Stack } from './stack';

/** `<phase>-<n>` like every bench event id, so the receiver counts its first attempts apart. */
export const FANOUT_EVENT_ID = 'fanout-000000';
const FANOUT_PHASE = 'fanout';

export interface Sample {
  /** Seconds since the event was accepted. */
  s: number;
  attempted: number;
  firstAttempts: number;
  succeeded: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milestones in ms since the event was accepted; null until reached. */
export class FanOutWatch {
  recorded = 0;
  recordedMs: number | null = null;
  allAttemptedMs: number | null = null;
  allStartedMs: number | null = null;
  deliveredMs: number | null = null;
  lastSuccessMs: number | null = null;
  counts = { attempted: 0, succeeded: 0, failed: 0, cancelled: 0 };
  readonly timeline: Sample[] = [];
  timedOut = false;
  elapsedMs = 0;
  /** First attempts the receiver had seen when the watch ended. */
  firstAttemptsAtEnd = 0;

  private readonly t0 = performance.now();
  // The grouped count reads every delivery row of the event: spaced out as N grows.
  private readonly ledgerEveryMs: number;
  private readonly sampleEveryMs = 10_000;
  private readonly sayEveryMs = 15_000;
  private nextLedger = 0;
  private nextSample = this.t0 + this.sampleEveryMs;
  private nextSay = this.t0 + this.sayEveryMs;
  private readonly eventStatus;
  private readonly recordedCount;
  private readonly statusCounts;

  /** Start it right after the event was accepted: its milestones count from then. */
  constructor(
    private readonly stack: Stack,
    private readonly receiver: BenchReceiver,
    private readonly N: number,
    private readonly say: (message: string) => void,
  ) {
    this.ledgerEveryMs = Math.min(1_000, Math.max(100, N / 50));
    this.eventStatus = stack.ledger.prepare('SELECT status FROM events WHERE id = ?').pluck();
    this.recordedCount = stack.ledger.prepare('SELECT count(*) FROM deliveries WHERE event_id = ?').pluck();
    this.statusCounts = stack.ledger.prepare('SELECT status, count(*) AS n FROM deliveries WHERE event_id = ? GROUP BY status');
  }

  /** Ms since the event was accepted. */
  since = () => round(performance.now() - this.t0);

  firstAttempts = () => this.receiver.firstAttempts(FANOUT_PHASE);

  /** Polls until every recorded delivery settled (succeeded, or ended badly: reported, not thrown) or `timeoutSeconds` passed. */
  async untilSettled(timeoutSeconds: number): Promise<this> {
    const deadline = this.t0 + timeoutSeconds * 1000;
    for (;;) {
      const now = performance.now();
      deathCheck(this.stack.temporal, this.stack.gateway, this.stack.worker);
      this.checkRecorded();
      if (this.allStartedMs === null && this.firstAttempts() >= this.N) this.allStartedMs = this.since();
      if (now >= this.nextLedger) this.readLedger(now);
      this.sampleAndSay(now);
      if (this.recordedMs !== null && this.recorded > 0 && this.settled() >= this.recorded) break;
      if (now >= deadline) {
        this.timedOut = true;
        break;
      }
      await sleep(50);
    }
    this.elapsedMs = this.since();
    if (this.allStartedMs === null && this.firstAttempts() >= this.N) this.allStartedMs = this.elapsedMs;
    this.timeline.push(this.sample());
    this.firstAttemptsAtEnd = this.firstAttempts();
    return this;
  }

  /** Deliveries that ended, well or badly. */
  settled = () => this.counts.succeeded + this.counts.failed + this.counts.cancelled;

  /** The event's status is set in the same transaction as its delivery rows: once dispatched, they are all there. */
  private checkRecorded(): void {
    if (this.recordedMs !== null || this.eventStatus.get(FANOUT_EVENT_ID) !== 'dispatched') return;
    this.recorded = this.recordedCount.get(FANOUT_EVENT_ID) as number;
    this.recordedMs = this.since();
    this.say(`fan-out: ${this.recorded} deliveries recorded after ${this.recordedMs} ms`);
    if (this.recorded !== this.N) this.say(`fan-out: WARNING the ledger recorded ${this.recorded} deliveries for ${this.N} subscriptions`);
  }

  private readLedger(now: number): void {
    this.nextLedger = now + this.ledgerEveryMs;
    const rows = this.statusCounts.all(FANOUT_EVENT_ID) as { status: string; n: number }[];
    const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    const total = rows.reduce((a, r) => a + r.n, 0);
    const before = this.counts.succeeded;
    this.counts = { attempted: total - (by.pending ?? 0), succeeded: by.succeeded ?? 0, failed: by.failed ?? 0, cancelled: by.cancelled ?? 0 };
    if (this.counts.succeeded > before) this.lastSuccessMs = this.since();
    if (this.allAttemptedMs === null && this.recordedMs !== null && total >= this.N && this.counts.attempted >= this.N) this.allAttemptedMs = this.since();
    if (this.deliveredMs === null && this.counts.succeeded >= this.N) this.deliveredMs = this.since();
  }

  private sample(): Sample {
    return { s: round(this.since() / 1000, 1), attempted: this.counts.attempted, firstAttempts: this.firstAttempts(), succeeded: this.counts.succeeded };
  }

  private sampleAndSay(now: number): void {
    if (now >= this.nextSample) {
      this.nextSample += this.sampleEveryMs;
      this.timeline.push(this.sample());
    }
    if (now < this.nextSay) return;
    this.nextSay += this.sayEveryMs;
    const s = this.sample();
    const { failed, cancelled } = this.counts;
    this.say(
      `fan-out: ${s.s} s: attempted ${s.attempted}, at receiver ${s.firstAttempts}, ` +
        `succeeded ${s.succeeded}${failed || cancelled ? `, failed ${failed}, cancelled ${cancelled}` : ''} of ${this.N}`,
    );
  }
}
