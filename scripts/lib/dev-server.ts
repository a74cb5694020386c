import { SEARCH_ATTRIBUTES } from '../../src/contract';

/** Arguments for `temporal server start-dev` with our search attributes registered. */
export function devServerArgs(opts: { port: number; uiPort?: number; dbFile?: string; logLevel?: string }): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    ...(opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
    ...(opts.dbFile === undefined ? [] : ['--db-filename', opts.dbFile]),
    '--log-level',
    opts.logLevel ?? 'warn',
    ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
  ];
}
