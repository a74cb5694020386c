// The bench's settings from the environment: integers, checked, with a default when unset.

/** An integer of at least `min` from `name`, or `fallback` when it is unset or empty. */
function integerEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer of at least ${min}, got ${raw}`);
  return n;
}

/** A positive integer setting. */
export const intEnv = (name: string, fallback: number) => integerEnv(name, fallback, 1);

/** Like intEnv, but 0 is allowed (and means "off"). */
export const countEnv = (name: string, fallback: number) => integerEnv(name, fallback, 0);

/** Temporal's store for the bench's stack: the SQLite file `npm run dev` uses, or memory (BENCH_TEMPORAL_DB=memory). */
export const temporalDbEnv = (): 'dev' | 'memory' => (process.env.BENCH_TEMPORAL_DB === 'memory' ? 'memory' : 'dev');

/** BENCH_SQLITE_PRAGMAS="journal_mode=wal synchronous=off": other pragmas for the dev server's file, to compare. */
export const sqlitePragmasEnv = (): string[] | undefined => process.env.BENCH_SQLITE_PRAGMAS?.split(/\s+/).filter(Boolean);
