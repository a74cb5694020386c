// Subscriptions written straight into the ledger file, for the phases that need thousands of
// them (the large fan-out, the in-flight run): the HTTP API would take minutes for 100,000.
import SQLite from 'better-sqlite3';
import { newId } from '../src/core/ids';
import { generateSecret } from '../src/security/signing';
import { subscriptionRows } from '../src/store/ledger';
import type { SubscriptionEventTypesTable, SubscriptionsTable } from '../src/store/schema';
import { round } from './report';

/** One `subscriptions` row exactly as the ledger stores it: the ledger's own row builder. */
function subscriptionRow(url: string, eventTypes: string[], at: string) {
  const input = { tenantId: 'default', url, eventTypes, description: 'bench fan-out', secret: generateSecret() };
  return subscriptionRows(input, newId.subscription(), at).subscription;
}

/** Fails if the ledger's table and the rows written here no longer have the same columns. */
function assertColumns(db: SQLite.Database, table: string, written: string[]): void {
  const actual = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).sort();
  const mine = [...written].sort();
  if (actual.join(',') !== mine.join(',')) {
    throw new Error(
      `bench fan-out setup: ${table} has columns [${actual.join(', ')}] but bench/fanout-setup.ts writes [${mine.join(', ')}]; ` +
        'bring it in line with src/store/schema.ts',
    );
  }
}

function insertStatement(db: SQLite.Database, table: string, columns: string[]): SQLite.Statement {
  return db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
}

export interface SetupResult {
  /** Subscription ids in insertion order (ascending: ULIDs from a monotonic factory). */
  ids: string[];
  /** Open, build, insert and commit. */
  ms: number;
}

/**
 * Creates `count` active subscriptions to `eventType`, subscription i delivering to `urlFor(i)`,
 * in ONE write transaction on a separate writable handle to the ledger file (the HTTP API would
 * take minutes for 100,000). The gateway and worker have the file open too: WAL lets them read on,
 * and their busy timeout (10 s) waits out this transaction's write lock.
 */
export function insertSubscriptions(
  file: string,
  count: number,
  eventType: string,
  urlFor: (i: number) => string,
  overrides: Partial<Pick<SubscriptionsTable, 'confirmation_timeout_ms' | 'description'>> = {},
): SetupResult {
  const t0 = performance.now();
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 30000');
    db.pragma('foreign_keys = ON');
    const at = new Date().toISOString();
    const row = (i: number) => ({ ...subscriptionRow(urlFor(i), [eventType], at), ...overrides });
    const probe = row(0);
    const typeRow = (subscriptionId: string): SubscriptionEventTypesTable => ({ subscription_id: subscriptionId, pattern: eventType });
    const subColumns = Object.keys(probe);
    const typeColumns = Object.keys(typeRow(probe.id));
    assertColumns(db, 'subscriptions', subColumns);
    assertColumns(db, 'subscription_event_types', typeColumns);
    const insertSub = insertStatement(db, 'subscriptions', subColumns);
    const insertType = insertStatement(db, 'subscription_event_types', typeColumns);
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const sub = i === 0 ? probe : row(i);
        insertSub.run(sub);
        insertType.run(typeRow(sub.id));
        ids.push(sub.id);
      }
    }).immediate();
    return { ids, ms: round(performance.now() - t0) };
  } finally {
    db.close();
  }
}
