import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations';
import type { Database } from './schema';

/** Connections per process to PostgreSQL; the worker's activities share them. */
const PG_POOL_SIZE = 20;

/**
 * Opens the ledger named by DATABASE_URL (`sqlite:<file>` or `postgres://…`) and brings its schema
 * up to date (or, for tests of a migration, up to the one named `upTo`). Both dialects run the
 * same migrations and the same queries.
 */
export async function openDatabase(url: string, upTo?: string): Promise<Kysely<Database>> {
  const db = url.startsWith('sqlite:') ? openSqlite(url.slice('sqlite:'.length)) : openPostgres(url);
  await migrateToLatest(db as Kysely<unknown>, upTo);
  return db;
}

function openSqlite(file: string): Kysely<Database> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets the worker and gateway processes share one file; busy_timeout waits out the other's writes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
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

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: SqliteDialectConfig) {
    super(sqliteConfig);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: PG_POOL_SIZE });
  // An idle connection the server drops (restart, failover) emits 'error' on the pool; unhandled,
  // that would crash the process. The pool replaces it on the next query, so only say so.
  pool.on('error', (err) => console.error(`ledger: idle PostgreSQL connection lost: ${err.message}`));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
