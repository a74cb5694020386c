import ipaddr from 'ipaddr.js';

/**
 * True for every address a webhook must not reach by default: loopback, private, link-local
 * (cloud metadata lives there), unique-local, multicast, reserved and the like. Only public
 * unicast is allowed; IPv4-mapped IPv6 is judged as the IPv4 it carries.
 */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() !== 'unicast';
}
