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
];

/** JSON-lines logger; secrets are redacted so they never reach the logs. */
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
  };
  return destination ? pino(options, destination) : pino(options);
}
