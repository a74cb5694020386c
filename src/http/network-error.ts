/**
 * What an attempt's error says when no answer came back. Attempt errors are shown to everyone with
 * an API token, so they are fixed phrases per failure kind: never the library's message, which names
 * the resolved address and port (`connect ECONNREFUSED 10.0.0.7:6379`).
 */

/** The guard refused every address the receiver's host has or resolved to; nothing was sent. */
export class BlockedAddressError extends Error {
  constructor() {
    super('refused: non-public address');
    this.name = 'BlockedAddressError';
  }
}

const PHRASE_BY_CODE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the receiver',
  UND_ERR_CLOSED: 'connection closed by the receiver',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
  EHOSTDOWN: 'host unreachable',
  ENETDOWN: 'host unreachable',
  EADDRNOTAVAIL: 'host unreachable',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  EAI_FAIL: 'DNS lookup failed',
  EAI_NODATA: 'DNS lookup failed',
  ENODATA: 'DNS lookup failed',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the answer',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the answer',
};

/** Certificate problems worth naming: they are facts about a public host the receiver runs. */
const CERTIFICATE_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/** The error, its causes and, for several addresses tried in turn, each attempt's error. */
function errorChain(err: unknown, depth = 0): unknown[] {
  if (!(err instanceof Error) || depth > 5) return [err];
  const inner = err instanceof AggregateError ? (err.errors as unknown[]) : [];
  return [err, ...[err.cause, ...inner].filter((e) => e !== undefined).flatMap((e) => errorChain(e, depth + 1))];
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : undefined;
}

function describeCode(code: string): string {
  const phrase = PHRASE_BY_CODE[code];
  if (phrase) return phrase;
  if (code.startsWith('HPE_')) return 'invalid HTTP answer';
  if (TLS_CODE.test(code)) {
    const problem = CERTIFICATE_PROBLEMS[code];
    return problem ? `TLS handshake failed: ${problem}` : 'TLS handshake failed';
  }
  // A code is a fixed identifier, never an address: safe to show, and it helps the receiver's owner.
  return `network error (${code})`;
}

/**
 * The egress proxy refused the tunnel (its own rules, e.g. a private range, or 407 for credentials).
 * undici says so only in words, in an error named AbortError that would otherwise read as a timeout.
 */
const PROXY_REFUSAL = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/;

function proxyRefusal(err: unknown): string | undefined {
  const status = err instanceof Error ? PROXY_REFUSAL.exec(err.message)?.[1] : undefined;
  return status === undefined ? undefined : `the egress proxy refused the connection (${status})`;
}

/** A fixed phrase for a failed request; `timeoutMs` is the attempt's own limit. */
export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const chain = errorChain(err);
  const blocked = chain.find((e) => e instanceof BlockedAddressError);
  if (blocked) return blocked.message;
  const refused = chain.map(proxyRefusal).find((phrase) => phrase !== undefined);
  if (refused) return refused;
  if (chain.some((e) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))) return `timed out after ${timeoutMs} ms`;
  const code = chain.map(codeOf).find((c) => c !== undefined);
  return code ? describeCode(code) : 'network error';
}
