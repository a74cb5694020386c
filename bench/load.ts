import { Agent, request } from 'undici';

/** JSON over a keep-alive pool to the gateway, with the API token. */
export class GatewayClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    connections: number,
  ) {
    this.agent = new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  async call(method: 'GET' | 'POST' | 'PATCH' | 'PUT', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await request(`${this.baseUrl}${path}`, {
      method,
      dispatcher: this.agent,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** Posts one event with our own id, returning when the gateway has accepted it. */
  async publish(id: string, n: number, type = 'bench.created'): Promise<void> {
    const res = await this.call('POST', '/v1/events', {
      id,
      tenantId: 'default',
      type,
      data: { n, order: { id: `ord_${n}`, total: 4200, currency: 'EUR', lines: [{ sku: 'sku_1', qty: 2 }] } },
    });
    if (res.status !== 202) throw new Error(`POST /v1/events ${id}: ${res.status} ${JSON.stringify(res.json)}`);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * Closed loop: `concurrency` posts in flight until all `ids` are sent. Accept time = when the
 * gateway's 202 came back.
 */
export async function publishAll(
  gateway: GatewayClient,
  ids: string[],
  concurrency: number,
  acceptedAt: Map<string, number>,
  type?: string,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const i = next++;
      const id = ids[i]!;
      await gateway.publish(id, i, type);
      acceptedAt.set(id, performance.now());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, lane));
}

/**
 * Open loop at a fixed rate: event i is posted at start + i*interval whether or not earlier posts
 * have returned (so a slow gateway shows up as latency, not as a lower rate), with at most
 * `maxInFlight` outstanding so a stalled gateway cannot pile up unbounded requests.
 */
export async function publishPaced(
  gateway: GatewayClient,
  ids: string[],
  intervalMs: number,
  maxInFlight: number,
  acceptedAt: Map<string, number>,
  type?: string,
  /** When each post was sent, for post → first attempt. */
  sentAt?: Map<string, number>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const errors: unknown[] = [];
  const start = performance.now();
  for (let i = 0; i < ids.length; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (errors.length > 0) break;
    const id = ids[i]!;
    sentAt?.set(id, performance.now());
    const p: Promise<void> = gateway
      .publish(id, i, type)
      .then(
        () => void acceptedAt.set(id, performance.now()),
        (err: unknown) => void errors.push(err),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  if (errors.length > 0) throw errors[0];
}

/**
 * The machine's ceiling for this receiver: plain keep-alive POSTs of a webhook-sized body, same
 * concurrency, no gateway, Temporal or ledger in the way.
 */
export async function ceilingPerSecond(url: string, total: number, concurrency: number): Promise<number> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const body = JSON.stringify({
    type: 'bench.created',
    timestamp: new Date().toISOString(),
    data: { n: 1, order: { id: 'ord_1', total: 4200, currency: 'EUR', lines: [{ sku: 'sku_1', qty: 2 }] } },
  });
  let sent = 0;
  const lane = async () => {
    while (sent < total) {
      sent++;
      const res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'webhook-timestamp': '0', 'webhook-signature': 'v1,x' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`ceiling: receiver answered ${res.statusCode}`);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    await agent.close();
  }
  return total / ((performance.now() - started) / 1000);
}
