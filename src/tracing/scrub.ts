import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { urlForLog } from '../core/logger';

/** Attributes holding a whole URL: cut to origin and path, as in logs. */
const URL_ATTRIBUTES = ['url.full', 'http.url'];
/** Attributes holding a path with its query string (the HTTP server's request target). */
const TARGET_ATTRIBUTES = ['http.target'];
/** The query string on its own. */
const QUERY_ATTRIBUTES = ['url.query'];
/** Attributes holding a path alone. */
const PATH_ATTRIBUTES = ['url.path'];
/** Captured header values (none are configured; dropped should one ever be). */
const HEADER_PREFIXES = ['http.request.header.', 'http.response.header.'];

/** An attribute value OpenTelemetry accepts: a primitive or an array of them, never an object. */
function isPlainValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.every((v) => v === null || typeof v !== 'object');
  return value === null || typeof value !== 'object';
}

/**
 * A confirmation URL's last segment is its token, a capability: whoever holds it confirms the
 * delivery. Matched case-insensitively, as express routes, and through doubled slashes; the
 * span's name and `http.route` hold the route (`:token`), never the value.
 */
const CONFIRMATION_TOKEN = /(\/v1\/+confirmations\/+)[^/?#]+/gi;

/** A URL or path with any confirmation token replaced. */
export function withoutConfirmationToken(value: string): string {
  return value.replace(CONFIRMATION_TOKEN, '$1[redacted]');
}

/** The scrubbed value of a URL-bearing attribute, or undefined if `key` holds no URL. */
function scrubbedUrl(key: string, value: string): string | undefined {
  if (URL_ATTRIBUTES.includes(key)) return withoutConfirmationToken(urlForLog(value));
  if (TARGET_ATTRIBUTES.includes(key)) return withoutConfirmationToken(value.replace(/[?#].*$/s, ''));
  if (PATH_ATTRIBUTES.includes(key)) return withoutConfirmationToken(value);
  return undefined;
}

/**
 * Makes a span's attributes safe to export, in place. Receiver URLs lose their query string and
 * credentials (which often carry the receiver's own secrets), confirmation URLs their token,
 * header values go, and so do object values: Temporal's workflow span sink copies the whole
 * WorkflowInfo into the attributes (memo, search attributes, retry policy, last result), which is
 * not an attribute value anyway.
 */
export function scrubAttributes(attributes: Attributes): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (QUERY_ATTRIBUTES.includes(key) || HEADER_PREFIXES.some((p) => key.startsWith(p)) || !isPlainValue(value)) {
      delete attributes[key];
    } else if (typeof value === 'string') {
      const scrubbed = scrubbedUrl(key, value);
      if (scrubbed !== undefined) attributes[key] = scrubbed;
    }
  }
}

/** Scrubs each span as it ends (see scrubAttributes), then hands it on: nothing unscrubbed is ever exported. */
export class ScrubbingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    scrubAttributes(span.attributes);
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
