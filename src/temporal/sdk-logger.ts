import { stripVTControlCharacters } from 'node:util';
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/worker';
import type { Logger } from '../core/logger';

type Level = Lowercase<LogLevel>;

/**
 * The last line of the webpack report the worker logs (at info) each time it bundles the
 * workflows: `webpack 5.113.0 compiled successfully in 2345 ms`, after dozens of lines of modules.
 */
const CLEAN_BUNDLE_REPORT = /\bwebpack \d+\.\d+\.\d+\S* compiled successfully\b/;

/** True for the report of a workflow bundle that built without errors or warnings. */
export function isCleanBundleReport(message: string): boolean {
  return CLEAN_BUNDLE_REPORT.test(stripVTControlCharacters(message));
}

/**
 * A logger for the Temporal SDK's Runtime that writes the SDK's own lines (worker state, workflow
 * task failures) into the service's JSON lines, under `component: temporal-sdk`. The webpack
 * report of a clean workflow bundle is a debug line, shown with LOG_LEVEL=debug; one with warnings
 * or errors keeps the SDK's level, and so does the one-line "Workflow bundle created" (its size).
 */
export function sdkLogger(logger: Logger): SdkLogger {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const at = (level: Level) => (message: string, meta?: LogMetadata) => {
    const shown = level === 'info' && isCleanBundleReport(message) ? 'debug' : level;
    sdk[shown](meta ?? {}, message);
  };
  return {
    log: (level, message, meta) => at(level.toLowerCase() as Level)(message, meta),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
