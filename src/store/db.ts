import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type DialectAdapter,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations';
import type { Database } from './schema';

/** Connections per process to PostgreSQL; the worker's activities share them. */
const PG_POOL_SIZE = 20;
/** How long an SQLite statement waits for another process's write before "database is locked". */
const BUSY_TIMEOUT_MS = 10_000;
/** While migrating, how long to wait for another process's migrations (a big upgrade takes minutes). */
const MIGRATION_BUSY_TIMEOUT_MS = 10 * 60_000;

/**
 * Opens the ledger named by DATABASE_URL (`sqlite:<file>` or `postgres://…`) and brings its schema
 * up to date (or, for tests of a migration, up to the one named `upTo`). Both dialects run the
 * same migrations and the same queries. Any number of processes may open one ledger at once: the
 * migrations run under a lock (SQLite's write lock, PostgreSQL's advisory lock), one process after
 * the other.
 */
export async function openDatabase(url: string, upTo?: string): Promise<Kysely<Database>> {
  if (!url.startsWith('sqlite:')) return migrated(openPostgres(url), upTo);
  for (let attempt = 1; ; attempt++) {
    try {
      return await openSqlite(url.slice('sqlite:'.length), upTo);
    } catch (err) {
      if (!isImmediateBusy(err) || attempt >= OPEN_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
    }
  }
}

/** Opening attempts when SQLite answers "database is locked" without waiting (see isImmediateBusy). */
const OPEN_ATTEMPTS = 10;

/**
 * SQLite skips the busy handler in a few set-up races between processes opening one fresh file
 * (the switch to WAL, the first read of a WAL index another process is creating) and answers
 * SQLITE_BUSY at once; measured: 1 in ~50 rounds of 4 processes under load. Trying again a moment
 * later is all it takes: nothing was written (the migrations are one transaction).
 */
function isImmediateBusy(err: unknown): boolean {
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: unknown };
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  return cause !== undefined && cause !== err && isImmediateBusy(cause); // a failed migration wraps it
}

async function openSqlite(file: string, upTo: string | undefined): Promise<Kysely<Database>> {
  let sqlite: SQLite.Database | undefined;
  try {
    sqlite = openSqliteFile(file);
    sqlite.pragma(`busy_timeout = ${MIGRATION_BUSY_TIMEOUT_MS}`);
    const db = await migrated(new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) }), upTo);
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (err) {
    if (sqlite?.open) sqlite.close();
    throw err;
  }
}

async function migrated(db: Kysely<Database>, upTo: string | undefined): Promise<Kysely<Database>> {
  try {
    await migrateToLatest(db as Kysely<unknown>, upTo);
    return db;
  } catch (err) {
    await db.destroy(); // a PostgreSQL pool left open would keep the process alive
    throw err;
  }
}

function openSqliteFile(file: string): SQLite.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  // busy_timeout waits out the other processes' writes. It comes first: switching a fresh file to
  // WAL takes a lock that another process opening the same file at that moment may hold.
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // WAL lets the worker and gateway processes share one file.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  return sqlite;
}

/**
 * SQLite transactions that take the write lock when they begin. A plain BEGIN starts reading and
 * fails at once with "database is locked" when it later writes after another process wrote in
 * between (the busy timeout cannot help there); several workers share the file, so that happens.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Migrations in one transaction, so processes that start together (`npm run dev`'s worker and
 * gateway) take turns. Kysely's SqliteAdapter takes no migration lock and runs each migration on
 * its own, so two processes both read "0001 pending" and both run it ("table already exists").
 * SQLite DDL is transactional: inside the migrator's transaction, which the driver begins with
 * `begin immediate` (the write lock), the read of the executed migrations and every pending one
 * run while the others wait (busy_timeout), then find nothing left to do.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: SqliteDialectConfig) {
    super(sqliteConfig);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: PG_POOL_SIZE });
  // An idle connection the server drops (restart, failover) emits 'error' on the pool; unhandled,
  // that would crash the process. The pool replaces it on the next query, so only say so.
  pool.on('error', (err) => console.error(`ledger: idle PostgreSQL connection lost: ${err.message}`));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
