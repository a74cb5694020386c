import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on one loopback address that counts TCP connections, not just requests: the
 * address guard must stop before connecting, so "no request arrived" would not be proof enough.
 */
export class CountingServer {
  connections = 0;
  readonly paths: string[] = [];
  private readonly server: http.Server;

  constructor(
    readonly host: string,
    respond: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('ok'),
  ) {
    this.server = http.createServer((req, res) => {
      this.paths.push(req.url ?? '');
      respond(req, res);
    });
    this.server.on('connection', () => this.connections++);
  }

  /** Listens on `port` (0: any free one) and returns the port. */
  async start(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => resolve());
    });
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = new CountingServer('127.0.0.1');
  const port = await server.start();
  await server.stop();
  return port;
}
