import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher, ProxyAgent } from 'undici';
import { BlockedAddressError } from './network-error';
import { isPublicAddress } from './private-address';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name has; the default is the system's resolver (hosts file, then DNS). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolve: ResolveHost = (hostname) => dns.promises.lookup(hostname, { all: true });

export interface WebhookDispatcherOptions {
  /** Connect to loopback, private and other non-public addresses too (ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean;
  /** Connections per receiver origin. */
  connections?: number;
  resolve?: ResolveHost;
  /** Which addresses may be connected to; overrides allowPrivateNetworks (tests narrow it to one address). */
  isAllowedAddress?: (address: string) => boolean;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
}

/** Every address of `hostname` (of `family`, when given), or the error that refuses the host: none, or one not allowed. */
async function checkedAddresses(resolve: ResolveHost, isAllowed: (address: string) => boolean, hostname: string, family?: number | string) {
  const addresses = (await resolve(hostname)).filter((a) => !family || a.family === family);
  if (addresses.length === 0) throw notFound(hostname);
  if (!addresses.every((a) => isAllowed(a.address))) throw new BlockedAddressError();
  return addresses;
}

/**
 * The lookup the socket connects with: it resolves once, refuses the host when any of its addresses
 * is not allowed, and hands the socket exactly the addresses it checked. The socket does no lookup of
 * its own, so a name that re-resolves to an internal address between check and connect cannot slip
 * through (DNS rebinding), and nothing is sent to an address before it was checked.
 */
function checkedLookup(resolve: ResolveHost, isAllowed: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    checkedAddresses(resolve, isAllowed, hostname, options.family).then(
      (addresses) => (options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

function allowedAddresses(opts: WebhookDispatcherOptions): (address: string) => boolean {
  return opts.isAllowedAddress ?? (opts.allowPrivateNetworks ? () => true : isPublicAddress);
}

/**
 * A dispatcher webhooks are sent with. One that cannot check the address it connects to (it
 * connects to a proxy) has `checkTarget`, which sendWebhook awaits before each request.
 */
export type WebhookDispatcher = Dispatcher & { checkTarget?: (url: URL) => Promise<void> };

/**
 * The connection pool every webhook goes through. Addresses are checked before connecting, never
 * after: an address literal in the URL here, a name in the socket's lookup (above). TLS verifies the
 * certificate against the URL's name, not the address. Connections are kept alive and reused, each
 * one bound to the address that was checked for it.
 */
export function createWebhookDispatcher(opts: WebhookDispatcherOptions): Agent {
  const isAllowed = allowedAddresses(opts);
  const connectChecked = buildConnector({ timeout: 10_000, lookup: checkedLookup(opts.resolve ?? systemResolve, isAllowed) });
  return new Agent({
    connections: opts.connections ?? 64,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connect(options, callback) {
      // undici hands IPv6 literals over without brackets; literals never reach the lookup.
      if (isIP(options.hostname) !== 0 && !isAllowed(options.hostname)) return callback(new BlockedAddressError(), null);
      connectChecked(options, callback);
    },
  });
}

/**
 * Checks a receiver's host before a request leaves through the proxy, as the direct pool checks
 * it before connecting: a literal address as it is, a name by every address it resolves to now.
 * The proxy resolves the name again; an answer that changes in between is the proxy's to refuse.
 */
function receiverHostCheck(resolve: ResolveHost, isAllowed: (address: string) => boolean) {
  return async (url: URL): Promise<void> => {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) {
      if (!isAllowed(host)) throw new BlockedAddressError();
      return;
    }
    await checkedAddresses(resolve, isAllowed, host);
  };
}

/** Attempts through an HTTP(S) proxy (CONNECT tunnels, so it never reads a webhook), each receiver checked first. */
class CheckedProxyAgent extends ProxyAgent {
  constructor(
    proxyUrl: string,
    connections: number,
    readonly checkTarget: ((url: URL) => Promise<void>) | undefined,
  ) {
    // Credentials in the URL become the proxy's Proxy-Authorization, sent on CONNECT only.
    super({ uri: proxyUrl, connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, proxyTunnel: true });
  }
}

/**
 * The worker's dispatcher: the direct, address-checked pool, or, with WEBHOOK_PROXY_URL, the proxy
 * with each receiver's host checked before sending (not at all when private networks are allowed).
 */
export function createEgressDispatcher(opts: WebhookDispatcherOptions & { proxyUrl?: string }): WebhookDispatcher {
  if (opts.proxyUrl === undefined) return createWebhookDispatcher(opts);
  const open = opts.isAllowedAddress === undefined && opts.allowPrivateNetworks;
  const check = open ? undefined : receiverHostCheck(opts.resolve ?? systemResolve, allowedAddresses(opts));
  return new CheckedProxyAgent(opts.proxyUrl, opts.connections ?? 64, check);
}
