import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations';
import type { Database } from './schema';

/** Connections per process to PostgreSQL; the worker's activities share them. */
const PG_POOL_SIZE = 20;

/**
 * Opens the ledger named by DATABASE_URL (`sqlite:<file>` or `postgres://…`) and brings its schema
 * up to date. Both dialects run the same migrations and the same queries.
 */
export async function openDatabase(url: string): Promise<Kysely<Database>> {
  const db = url.startsWith('sqlite:') ? openSqlite(url.slice('sqlite:'.length)) : openPostgres(url);
  await migrateToLatest(db as Kysely<unknown>);
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
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: PG_POOL_SIZE });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
