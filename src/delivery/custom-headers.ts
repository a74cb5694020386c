import { z } from 'zod';

/**
 * Custom headers an endpoint (subscription) sends with every attempt: a receiver's own API key,
 * a routing tag. Their values are often credentials, so they are kept out of logs and traces.
 */

export const MAX_CUSTOM_HEADERS = 20;
export const MAX_HEADER_NAME_LENGTH = 100;
export const MAX_HEADER_VALUE_LENGTH = 2048;
/** Names and values together: with our own headers it stays well under receivers' 8–16 KiB header limits. */
export const MAX_HEADERS_TOTAL_LENGTH = 8192;

/** RFC 7230 `token`: the characters a header name may have. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII and inner spaces: no control character (CR, LF, NUL, tab), no padding HTTP would trim. */
const VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** Connection-level headers (RFC 7230 §6.1 and the usual extras): the client and proxies own them. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** Describe the request itself; the HTTP client sets them from the body (undici refuses `expect`). */
const FRAMING = ['host', 'content-length', 'content-encoding', 'expect'];
/** The service's own, on every webhook: receivers rely on them being ours. */
const SERVICE_OWN = ['content-type', 'user-agent'];
/** Set by tracing (W3C Trace Context) when it is on. */
const TRACING = ['traceparent', 'tracestate'];

/** Why a header name may not be set by an endpoint, or undefined when it may. Case-insensitive. */
export function reservedHeaderReason(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (HOP_BY_HOP.includes(lower)) return 'is a hop-by-hop header, managed by the HTTP client and proxies';
  if (FRAMING.includes(lower)) return 'is set by the HTTP client from the request itself';
  if (SERVICE_OWN.includes(lower)) return 'is set by the service on every webhook';
  if (TRACING.includes(lower)) return 'is set by tracing';
  if (lower.startsWith('webhook-')) return 'webhook-* headers are the service\'s own (signature, id, timestamp)';
  return undefined;
}

const headerNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_HEADER_NAME_LENGTH, `must be at most ${MAX_HEADER_NAME_LENGTH} characters`)
  .regex(TOKEN, "must be an HTTP header name: letters, digits and !#$%&'*+-.^_`|~ only")
  .superRefine((name, ctx) => {
    const reason = reservedHeaderReason(name);
    if (reason) ctx.addIssue({ code: 'custom', message: `cannot be set: ${reason}` });
  });

/** What a list shows of each value: the names only, since values are often credentials. */
export const MASKED_HEADER_VALUE = '********';

const headerValueSchema = z
  .string()
  .max(MAX_HEADER_VALUE_LENGTH, `must be at most ${MAX_HEADER_VALUE_LENGTH} characters`)
  .regex(VALUE, 'must be visible ASCII characters and inner spaces, with no control characters (CR, LF, NUL, tab)')
  // A list's masked value sent back by a client that copied it: it would replace the real one.
  .refine((value) => value !== MASKED_HEADER_VALUE, 'is the masked value lists show: send the real value (GET the subscription for it)');

/** The total size and case-insensitive uniqueness, each reported on the header that breaks it. */
function checkHeaderSet(headers: Record<string, string>, ctx: z.RefinementCtx): void {
  const names = Object.keys(headers);
  if (names.length > MAX_CUSTOM_HEADERS) ctx.addIssue({ code: 'custom', message: `must hold at most ${MAX_CUSTOM_HEADERS} headers` });
  const seen = new Set<string>();
  let total = 0;
  for (const name of names) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: 'is given twice (header names are case-insensitive)' });
    seen.add(lower);
    total += name.length + headers[name]!.length;
  }
  if (total > MAX_HEADERS_TOTAL_LENGTH) {
    ctx.addIssue({ code: 'custom', message: `names and values must total at most ${MAX_HEADERS_TOTAL_LENGTH} characters` });
  }
}

export const customHeadersSchema = z
  .record(headerNameSchema, headerValueSchema, {
    // A bad name is reported with what is wrong with it, not zod's generic "Invalid key".
    error: (issue) => (issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? 'is not a valid header name') : undefined),
  })
  .superRefine(checkHeaderSet)
  .describe(
    `Headers sent with every attempt, name → value (at most ${MAX_CUSTOM_HEADERS}). Not allowed: hop-by-hop headers, host, content-length, content-type, content-encoding, user-agent, expect, traceparent, tracestate and webhook-*.`,
  );
export type CustomHeaders = z.infer<typeof customHeadersSchema>;

/**
 * The custom headers as sent: names lower-cased (one spelling each, so none can sit beside ours
 * under another case) and any reserved name dropped, should the ledger hold one from before a rule.
 */
export function outgoingCustomHeaders(headers: CustomHeaders): Record<string, string> {
  const entries = Object.entries(headers).filter(([name]) => reservedHeaderReason(name) === undefined);
  return Object.fromEntries(entries.map(([name, value]) => [name.toLowerCase(), value]));
}

export function maskedHeaders(headers: CustomHeaders): CustomHeaders {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, MASKED_HEADER_VALUE]));
}
