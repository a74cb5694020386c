import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { isPrivateAddress } from './private-address';

export class BlockedAddressError extends Error {
  constructor(readonly address: string | undefined) {
    super(`refused to deliver to non-public address ${address ?? '(unknown)'}; set ALLOW_PRIVATE_NETWORKS=true to allow`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * The connection pool every webhook goes through. The private-network check runs on the socket's
 * remote address after connecting, so a hostname that resolves (or re-resolves) to an internal
 * address is caught no matter what DNS said earlier. Connections are kept alive and reused.
 */
export function createWebhookDispatcher(opts: { allowPrivateNetworks: boolean; connections?: number }): Agent {
  const connectTcp = buildConnector({ timeout: 10_000 });
  return new Agent({
    connections: opts.connections ?? 64,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connect(options, callback) {
      connectTcp(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('connect failed'), null);
        const address = (socket as Socket).remoteAddress;
        if (!opts.allowPrivateNetworks && (!address || isPrivateAddress(address))) {
          socket.destroy();
          return callback(new BlockedAddressError(address), null);
        }
        callback(null, socket);
      });
    },
  });
}
