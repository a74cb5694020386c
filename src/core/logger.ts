import pino from 'pino';

export type Logger = pino.Logger;

/** Paths that can hold secrets; pino replaces them before a line is written. */
const REDACT = [
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'apiToken',
  '*.apiToken',
  'apiKey',
  '*.apiKey',
  // An endpoint's custom headers: their values are often the receiver's credentials.
  'headers',
  '*.headers',
  '*.*.headers',
  // The egress proxy's URL may carry user:password.
  'proxyUrl',
  '*.proxyUrl',
  'WEBHOOK_PROXY_URL',
  '*.WEBHOOK_PROXY_URL',
];

/**
 * A receiver URL as logs may show it: origin and path. Query strings and credentials often carry
 * the receiver's own secrets (`?api_key=…`), so they are dropped.
 */
export function urlForLog(url: string): string {
  if (!URL.canParse(url)) return '[not a URL]';
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** JSON-lines logger; secrets are redacted and a `url` field is cut to origin and path. */
export function createLogger(
  name: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    // Also for lines that forget urlForLog.
    serializers: { url: (url: unknown) => (typeof url === 'string' ? urlForLog(url) : url) },
  };
  return destination ? pino(options, destination) : pino(options);
}
