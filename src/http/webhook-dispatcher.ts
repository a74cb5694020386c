import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
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

/**
 * The lookup the socket connects with: it resolves once, refuses the host when any of its addresses
 * is not allowed, and hands the socket exactly the addresses it checked. The socket does no lookup of
 * its own, so a name that re-resolves to an internal address between check and connect cannot slip
 * through (DNS rebinding), and nothing is sent to an address before it was checked.
 */
function checkedLookup(resolve: ResolveHost, isAllowed: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    const resolved = async () => {
      const wanted = (a: ResolvedAddress) => !options.family || a.family === options.family;
      const addresses = (await resolve(hostname)).filter(wanted);
      if (addresses.length === 0) throw notFound(hostname);
      if (!addresses.every((a) => isAllowed(a.address))) throw new BlockedAddressError();
      return addresses;
    };
    resolved().then(
      (addresses) => (options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/**
 * The connection pool every webhook goes through. Addresses are checked before connecting, never
 * after: an address literal in the URL here, a name in the socket's lookup (above). TLS verifies the
 * certificate against the URL's name, not the address. Connections are kept alive and reused, each
 * one bound to the address that was checked for it.
 */
export function createWebhookDispatcher(opts: WebhookDispatcherOptions): Agent {
  const isAllowed = opts.isAllowedAddress ?? (opts.allowPrivateNetworks ? () => true : isPublicAddress);
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
