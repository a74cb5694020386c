import { SEARCH_ATTRIBUTES } from '../../src/contract';

/**
 * SQLite settings for the dev server's file. The CLI's defaults (rollback journal, synchronous
 * FULL) cost ~1.9x the server CPU of WAL per workflow (measured, see bench/README.md). WAL
 * with synchronous=NORMAL keeps every committed transaction through a crash of any process (kill -9
 * of the server included: the chaos and server-restart tests do it) and loses at most the last
 * transactions on a power cut, never the file's consistency.
 */
export const DEV_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * Dynamic config every dev server of this project runs with (npm run dev, the tests', the bench's):
 * Task Queue Fairness on, so one tenant's backlog cannot starve another's (tasks carry their
 * tenant as fairness key); one task queue partition, since fairness is kept per partition and a
 * single server gains nothing from four (measured: with four, 5 small-tenant tasks queued behind
 * 300 came out at positions 5-50; with one, at 1, 3, 5, 7, 9); eager activity dispatch, so an
 * attempt scheduled by a worker starts on it without a trip through matching; and the history
 * service's transfer and visibility queues read up to 1,000 times a second instead of 20. A dev
 * server has one history shard, and at 20 reads a second every task that hands work to matching
 * (a workflow task, a child's start) waited ~40 ms on average: post → first attempt at 5 events/s
 * went from p50 ~150 ms to ~50 ms (bare Temporal of the same shape: ~165 ms to ~40 ms).
 */
export const DEV_DYNAMIC_CONFIG = [
  'matching.enableFairness=true',
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
  'system.enableActivityEagerExecution=true',
  'history.transferProcessorMaxPollRPS=1000',
  'history.visibilityProcessorMaxPollRPS=1000',
];

export const devDynamicConfigArgs = (): string[] => DEV_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]);

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  dbFile?: string;
  logLevel?: string;
  /** With dbFile: PRAGMA=VALUE settings instead of DEV_SQLITE_PRAGMAS. */
  sqlitePragmas?: string[];
}

/** Arguments for `temporal server start-dev` with our search attributes registered. */
export function devServerArgs(opts: DevServerOptions): string[] {
  const pragmas = opts.sqlitePragmas ?? DEV_SQLITE_PRAGMAS;
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    ...(opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
    ...(opts.dbFile === undefined ? [] : ['--db-filename', opts.dbFile, ...pragmas.flatMap((p) => ['--sqlite-pragma', p])]),
    '--log-level',
    opts.logLevel ?? 'warn',
    ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ...devDynamicConfigArgs(),
  ];
}
