import { setTimeout as delay } from 'node:timers/promises';
import { GiveUp } from '../../scripts/lib/wait';

export interface ApiResponse {
  status: number;
  location: string | null;
  body: Record<string, unknown>;
}

/** The gateway's HTTP API with the bearer token; throws on network errors (gateway down). */
export function gatewayApi(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<ApiResponse> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

export type Api = ReturnType<typeof gatewayApi>;

/** Pause between two posts: events trickle in over the faults instead of arriving in one burst. */
const PACE_MS = 300;
/** Pause before posting a refused event again (gateway or Temporal down). */
const RETRY_PAUSE_MS = 250;

/**
 * Posts events with explicit ids, up to an allowance the test raises phase by phase. A post that
 * fails (gateway killed, Temporal down: connection refused, 503) is posted again with the same id
 * until the gateway accepts it (202) or knows it (200), bounded by the producer's deadline.
 */
export class EventProducer {
  readonly postedIds: string[] = [];
  retries = 0;
  lastRefusal = '';
  /** Posts answered (or failed) so far, whatever the answer; `lastAnswer` is the latest. */
  answered = 0;
  lastAnswer = '';
  failure: Error | undefined;
  private allowance = 0;
  private finished = false;
  private wake: () => void = () => {};
  private readonly done: Promise<void>;

  constructor(
    private readonly api: Api,
    private readonly eventType: string,
    private readonly idPrefix: string,
    private readonly deadline: number,
  ) {
    this.done = this.run().catch((err: Error) => {
      this.failure = err;
      throw err;
    });
    this.done.catch(() => {}); // awaited through finish(); the rejection must not go unhandled before that
  }

  /** Throws GiveUp (ending a waitUntil at once) if the producer has given up. */
  assertHealthy(): void {
    if (this.failure) throw new GiveUp(this.failure.message);
  }

  get posted(): number {
    return this.postedIds.length;
  }

  /** Lets the producer post `more` events beyond what it was allowed so far. */
  allow(more: number): number {
    this.allowance += more;
    this.wake();
    return this.allowance;
  }

  /** No more allowance will come; resolves when every allowed event is posted. */
  finish(): Promise<void> {
    this.finished = true;
    this.wake();
    return this.done;
  }

  private async run(): Promise<void> {
    while (!(this.finished && this.posted >= this.allowance)) {
      if (this.posted >= this.allowance) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const id = `${this.idPrefix}${String(this.posted + 1).padStart(3, '0')}`;
      await this.postUntilAccepted(id);
      this.postedIds.push(id);
      await delay(PACE_MS);
    }
  }

  private async postUntilAccepted(id: string): Promise<void> {
    for (;;) {
      const status = await this.api('POST', '/v1/events', { tenantId: 'default', id, type: this.eventType, data: { id } }).then(
        (res) => res.status,
        (err: Error) => `${err.name}: ${err.message}`,
      );
      this.answered += 1;
      this.lastAnswer = String(status);
      if (status === 202 || status === 200) return;
      // A 4xx is the test's mistake, not a fault being injected: no point in posting it again.
      if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) {
        throw new Error(`the gateway refused event ${id} with ${status}`);
      }
      this.retries += 1;
      this.lastRefusal = String(status);
      if (Date.now() > this.deadline) throw new Error(`the producer could not post ${id} before its deadline (last: ${status})`);
      await delay(RETRY_PAUSE_MS);
    }
  }
}
