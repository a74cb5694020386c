import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Requests to paths under this prefix are never answered: a receiver that hangs. */
export const HANGING_PATH_PREFIX = '/hang';

/**
 * The subscribers' endpoint: answers 200 at once (except under HANGING_PATH_PREFIX) and remembers when the first attempt of each
 * (webhook-id, path) arrived. Times are performance.now() of this process, the same clock the
 * load generator stamps accept times with.
 */
export class BenchReceiver {
  /** `${webhookId} ${path}` → arrival of the first attempt. */
  readonly firstArrival = new Map<string, number>();
  /** First attempts per event-id prefix (the phase), so completion checks stay O(1). */
  private readonly firstByPhase = new Map<string, number>();
  requests = 0;
  /** Requests that were not a first attempt: redeliveries or retries. */
  repeats = 0;
  private readonly byPath = new Map<string, number>();
  private readonly server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => {
      const at = performance.now();
      const url = req.url ?? '';
      this.requests++;
      this.byPath.set(url, (this.byPath.get(url) ?? 0) + 1);
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') {
        const key = `${id} ${url}`;
        if (this.firstArrival.has(key)) {
          this.repeats++;
        } else {
          this.firstArrival.set(key, at);
          const phase = phaseOf(id);
          this.firstByPhase.set(phase, (this.firstByPhase.get(phase) ?? 0) + 1);
        }
      }
      req.resume(); // drain the body; nothing in it is needed
      // The sender's timeout ends a hanging request; stop() closes whatever is left.
      if (url.startsWith(HANGING_PATH_PREFIX)) return;
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
      });
    });
    // Keep connections open longer than the clients' keep-alive so the server never races them closed.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Every request to one path, first attempts and retries alike. */
  requestsTo(path: string): number {
    return this.byPath.get(path) ?? 0;
  }

  firstAttempts(phase: string): number {
    return this.firstByPhase.get(phase) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Event ids are `<phase>-<n>`. */
export const phaseOf = (eventId: string): string => eventId.slice(0, eventId.indexOf('-'));
