import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** IANA's global unicast block: every other IPv6 range is special-purpose or unassigned. */
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

/** Words for the ranges a receiver most often hits by mistake; anything else is "reserved". */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  carrierGradeNat: 'carrier-grade NAT',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

/** Judged as what it carries: `::ffff:127.0.0.1` is loopback, not some IPv6 range. */
function parseUnmapped(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed;
}

/**
 * True only for public unicast: not loopback, private, link-local (cloud metadata lives there),
 * unique-local, carrier-grade NAT, multicast, reserved, documentation, NAT64, 6to4 or the like.
 * Accepts canonical address text only (what DNS and WHATWG URLs give); anything else is not public.
 */
export function isPublicAddress(address: string): boolean {
  if (isIP(address) === 0) return false;
  const parsed = parseUnmapped(address);
  if (parsed.range() !== 'unicast') return false;
  return parsed.kind() === 'ipv4' || (parsed as ipaddr.IPv6).match(IPV6_GLOBAL_UNICAST);
}

function describeAddress(address: string): string {
  const parsed = parseUnmapped(address);
  const word = RANGE_WORDS[parsed.range()] ?? (parsed.range() === 'unicast' && parsed.kind() === 'ipv6' ? 'non-global' : 'reserved');
  return `${address} is a ${word} address`;
}

/** Names that reach the machine itself, its local network or a cloud's instance metadata service. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);
/** Special-use names (RFC 6761, 6762, 8375; ICANN's private-use .internal) never resolved on the internet. */
const LOCAL_SUFFIXES = ['localhost', 'localdomain', 'local', 'internal', 'home.arpa'];

function describeName(name: string): string | undefined {
  if (METADATA_NAMES.has(name)) return `${name} is a cloud metadata host`;
  if (LOCAL_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) return `${name} is a local-only name`;
  // A name without a dot is completed with the machine's search domains: an internal service.
  if (!name.includes('.')) return `${name} is a single-label (local) name`;
  return undefined;
}

/**
 * Why a receiver URL's host can never be public, judged from the URL alone (no DNS lookup, so no
 * oracle for internal names); undefined when it may be. Relies on WHATWG URL parsing, which
 * already turns decimal, octal, hex and short IPv4 (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`)
 * into dotted form. Names that resolve to internal addresses are caught at send time.
 */
export function nonPublicHostReason(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return isPublicAddress(host) ? undefined : describeAddress(host);
  return describeName(host.replace(/\.+$/, ''));
}
