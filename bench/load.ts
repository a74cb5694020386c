import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';
import { WebhooksClient } from '../clients/typescript/src';

/** Statuses whose Response may not have a body. */
const NULL_BODY = new Set([204, 205, 304]);

function responseHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  return headers;
}

/**
 * The fetch the bench gives the producer client: each request goes out with undici's `request`
 * over `pool`, as the bench's requests did before the client, and gives up after 30 s. Node's own
 * fetch would work too, but it costs the load generator about three times the CPU per post (posts
 * to a bare local server, 20 in flight: ~450 µs of the bench's CPU per post through Node's fetch,
 * ~150 through this, ~70 as before the client: undici's `request` alone), CPU that the gateway
 * and Temporal share on a 2-core machine, where intake posts run at ~700/s.
 */
function fetchOver(pool: Agent): (req: Request) => Promise<Response> {
  return async (req) => {
    const res = await request(req.url, {
      method: req.method,
      dispatcher: pool,
      headers: Object.fromEntries(req.headers),
      body: req.body === null ? undefined : await req.text(),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.body.arrayBuffer();
    const init = { status: res.statusCode, statusText: res.statusText, headers: responseHeaders(res.headers) };
    return new Response(NULL_BODY.has(res.statusCode) ? null : body, init);
  };
}

/**
 * The producer client (clients/typescript) over a keep-alive pool of `connections` to the gateway,
 * so that the load's concurrency bounds the connections as before: requests beyond it wait in the
 * pool.
 */
export function apiOverPool(baseUrl: string, apiKey: string, connections: number): { api: WebhooksClient; pool: Agent } {
  const pool = new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
  return { api: new WebhooksClient({ baseUrl, apiKey, fetch: fetchOver(pool) }), pool };
}

/**
 * Posts one event with our own id: one request, returning when the gateway has accepted it. An
 * answer of 200 (the id already there) is an error here: every bench event is new.
 */
export async function publish(api: WebhooksClient, id: string, n: number, type = 'bench.created'): Promise<void> {
  const { created } = await api.events.send({
    id,
    tenantId: 'default',
    type,
    data: { n, order: { id: `ord_${n}`, total: 4200, currency: 'EUR', lines: [{ sku: 'sku_1', qty: 2 }] } },
  });
  if (!created) throw new Error(`POST /v1/events ${id}: 200, the event was already there`);
}

/**
 * Closed loop: `concurrency` posts in flight until all `ids` are sent. Accept time = when the
 * gateway's 202 came back.
 */
export async function publishAll(
  api: WebhooksClient,
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
      await publish(api, id, i, type);
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
  api: WebhooksClient,
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
    const p: Promise<void> = publish(api, id, i, type)
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
