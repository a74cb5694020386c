import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real HTTP receiver on 127.0.0.1 that records every request and answers with whatever
 * `respond` decides (per path, so one server can play several subscribers).
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly server: http.Server;
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  /** Hanging requests whose sender gave up (closed the connection) before the test ended. */
  abandoned = 0;

  /** Requests held open right now (answered 'hang', their sender still waiting). */
  get hangingNow(): number {
    return this.hanging.size;
  }

  constructor(public respond: (req: ReceivedRequest, nthForPath: number) => Reply | Promise<Reply> = () => ({ status: 200 })) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        };
        this.requests.push(received);
        const nth = this.requests.filter((r) => r.path === received.path).length;
        void Promise.resolve(this.respond(received, nth)).then((reply) => {
          if (reply === 'hang') {
            this.hanging.add(res);
            res.once('close', () => {
              if (this.hanging.delete(res)) this.abandoned++;
            });
          }
          else res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
        });
        for (const w of [...this.waiters]) {
          if (w.check()) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  to(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Resolves once `check` holds after some request, or rejects at the deadline. */
  waitFor(check: () => boolean, timeoutMs = 20_000, what = 'receiver condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
