import pino from 'pino';

export type Logger = pino.Logger;

/** JSON-lines logger. Paths that can hold secrets are redacted so they never reach the logs. */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'secret',
        '*.secret',
        'signingSecret',
        '*.signingSecret',
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        'headers["webhook-signature"]',
        'apiToken',
      ],
      censor: '[redacted]',
    },
  });
}
