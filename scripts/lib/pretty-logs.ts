// `npm run dev`'s terminal: the worker's and gateway's JSON log lines, printed for a person.
// The services themselves always write JSON lines (src/core/logger.ts), with secrets already redacted;
// only this dev-time view formats them, so tests, compose and production see the same JSON.
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';

export type DevLogFormat = 'pretty' | 'json';

/** DEV_LOG_FORMAT: `pretty` (the default) or `json` (the services' own lines, e.g. to pipe into jq). */
export function devLogFormat(env: NodeJS.ProcessEnv = process.env): DevLogFormat {
  const value = env.DEV_LOG_FORMAT || 'pretty';
  if (value === 'pretty' || value === 'json') return value;
  throw new Error(`DEV_LOG_FORMAT must be pretty or json, not ${JSON.stringify(value)}`);
}

/**
 * Formats one JSON log line as `[12:34:56.789] INFO (worker): message {"field":…}`, an error's
 * stack on the lines below it. A line that is not JSON (a crash message) comes back as it was.
 * Colours follow the terminal (NO_COLOR and FORCE_COLOR are honoured) unless `colorize` is given.
 */
export function logPrettifier(options: { colorize?: boolean } = {}): (line: string) => string {
  return prettyFactory({
    ...(options.colorize === undefined ? {} : { colorize: options.colorize }),
    translateTime: 'SYS:HH:MM:ss.l',
    // `service` repeats the logger's name, shown in brackets; pino's base leaves out pid and hostname.
    ignore: 'service,pid,hostname',
    // One line per log line keeps a busy terminal scannable; errors keep their stack on lines of their own.
    singleLine: true,
  });
}

/**
 * Copies `input`'s lines to `output`, each through `prettify`. Resolves once `input` has ended
 * (its process exited and the pipe drained), so the last lines of a stopping service are shown.
 */
export function prettyPrintLines(input: Readable, output: Writable, prettify: (line: string) => string): Promise<void> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line !== '') output.write(prettify(line));
  });
  return new Promise((resolve) => lines.once('close', resolve));
}
