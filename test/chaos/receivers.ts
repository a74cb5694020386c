import { setTimeout as delay } from 'node:timers/promises';
import { type ReceivedRequest, type Reply, TestReceiver } from '../helpers/receiver';

/** What one receiver answers to one request; `webhookId` is the event id. */
type Policy = (webhookId: string, nthForWebhookId: number) => Promise<number> | number;

/**
 * A real receiver on 127.0.0.1 playing one subscriber, with a policy per request and a record of
 * what it answered, so the test can tell first deliveries from duplicates.
 */
export class ChaosReceiver {
  readonly http: TestReceiver;
  /** Status answered per webhook-id, in order. */
  private readonly answers = new Map<string, number[]>();
  private readonly seen = new Map<string, number>();

  constructor(
    readonly name: string,
    public policy: Policy,
  ) {
    this.http = new TestReceiver((req) => this.answer(req));
  }

  private async answer(req: ReceivedRequest): Promise<Reply> {
    const webhookId = String(req.headers['webhook-id'] ?? '');
    const nth = (this.seen.get(webhookId) ?? 0) + 1;
    this.seen.set(webhookId, nth);
    const status = await this.policy(webhookId, nth);
    this.answers.set(webhookId, [...(this.answers.get(webhookId) ?? []), status]);
    return { status, body: status < 300 ? 'ok' : 'not now' };
  }

  get requestCount(): number {
    return this.http.requests.length;
  }

  /** Event ids this receiver answered 2xx at least once. */
  succeededIds(): Set<string> {
    return new Set([...this.answers].filter(([, statuses]) => statuses.some(isSuccess)).map(([id]) => id));
  }

  /** Requests answered 2xx beyond the first 2xx per event: what a receiver has to de-duplicate. */
  duplicates(): number {
    let extra = 0;
    for (const statuses of this.answers.values()) extra += Math.max(0, statuses.filter(isSuccess).length - 1);
    return extra;
  }

  /** Requests answered so far; requestCount minus this is what is in flight (the slow receiver's). */
  answeredCount(): number {
    let n = 0;
    for (const statuses of this.answers.values()) n += statuses.length;
    return n;
  }
}

const isSuccess = (status: number) => status >= 200 && status < 300;

export const alwaysOk: Policy = () => 200;

/** 500 for the first `failures` requests of each event, then 200: the retry schedule has to work. */
export const failFirst =
  (failures: number): Policy =>
  (_id, nth) =>
    nth <= failures ? 500 : 200;

/** 200 after 1–2 s, so requests are in flight whenever something is killed. */
export const slowOk: Policy = async () => {
  await delay(1000 + Math.round(Math.random() * 1000));
  return 200;
};

export const alwaysFail: Policy = () => 500;
