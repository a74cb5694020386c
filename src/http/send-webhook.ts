import { request } from 'undici';
import { describeNetworkError } from './network-error';
import type { WebhookDispatcher } from './webhook-dispatcher';

export const USER_AGENT = 'webhook-relay/0.1 (+Standard Webhooks)';
/** Receivers' answers are kept for debugging, but only this much of them is read. */
export const MAX_RESPONSE_BYTES = 4096;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  dispatcher: WebhookDispatcher;
  /** Aborts the request early (the delivery was cancelled while it was in flight). */
  cancel?: AbortSignal;
}

export type WebhookResponse =
  | { kind: 'response'; statusCode: number; retryAfter: string | undefined; body: string; durationMs: number }
  | { kind: 'error'; error: string; durationMs: number };

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_RESPONSE_BYTES) {
      body.destroy(); // stop reading a large body; the connection is dropped rather than drained
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

/** `work`, or the signal's reason once it aborts first: a check cannot outlast the attempt's timeout. */
function untilAborted(work: Promise<void> | undefined, signal: AbortSignal): Promise<void> | undefined {
  if (work === undefined) return undefined;
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** One POST to a receiver. Never throws: network trouble comes back as `kind: 'error'`. */
export async function sendWebhook(req: WebhookRequest): Promise<WebhookResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = req.cancel ? AbortSignal.any([AbortSignal.timeout(req.timeoutMs), req.cancel]) : AbortSignal.timeout(req.timeoutMs);
  try {
    // Behind a proxy the receiver's host is checked here, before anything leaves (a blocked
    // address), within the attempt's time like the direct pool's lookup.
    await untilAborted(req.dispatcher.checkTarget?.(new URL(req.url)), signal);
    const res = await request(req.url, {
      method: 'POST',
      dispatcher: req.dispatcher,
      // Ours last: no header the caller passes (an endpoint's custom ones) replaces them.
      headers: { ...req.headers, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body: req.body,
      signal,
      // Redirects are not followed (undici's default): a 3xx is a failed attempt.
    });
    const body = await readCapped(res.body);
    const retryAfter = res.headers['retry-after'];
    return {
      kind: 'response',
      statusCode: res.statusCode,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      body,
      durationMs: elapsed(),
    };
  } catch (err) {
    return { kind: 'error', error: describeNetworkError(err, req.timeoutMs), durationMs: elapsed() };
  }
}
