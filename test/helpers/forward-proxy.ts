import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy, type ProxyServer } from 'proxy';

export interface ProxyCredentials {
  user: string;
  password: string;
}

/**
 * A real HTTP proxy on 127.0.0.1 (the `proxy` package: CONNECT tunnels and plain forwarding, like
 * Squid) that records what it was asked for. With credentials it answers 407 to anyone without them.
 */
export class ForwardProxy {
  /** CONNECT targets (host:port), in order. */
  readonly tunnels: string[] = [];
  /** Plain forwarded requests (absolute URLs). */
  readonly forwarded: string[] = [];
  /** Proxy-Authorization of every request or CONNECT it got. */
  readonly authorizations: (string | undefined)[] = [];
  private server: ProxyServer | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly credentials?: ProxyCredentials) {}

  /** Listens on `port` (0: a free one; the previous one to come back after stop). */
  async start(port = this.port): Promise<this> {
    const server = createProxy(http.createServer());
    server.prependListener('connect', (req: http.IncomingMessage) => void this.tunnels.push(req.url ?? ''));
    server.prependListener('request', (req: http.IncomingMessage) => void this.forwarded.push(req.url ?? ''));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.authenticate = (req) => {
      const given = req.headers['proxy-authorization'];
      this.authorizations.push(given);
      return this.credentials === undefined || given === basic(this.credentials);
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** The proxy's URL, with these credentials in it when given. */
  url(credentials?: ProxyCredentials): string {
    const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
    return `http://${auth}127.0.0.1:${this.port}`;
  }

  /** Closes the proxy and every connection and tunnel through it: it is down until started again. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function basic({ user, password }: ProxyCredentials): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
