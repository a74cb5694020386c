import SQLite from 'better-sqlite3';
import pg from 'pg';
import { newId } from '../../src/core/ids';
import type { CreateSubscriptionInput } from '../../src/model';
import { type Ledger, subscriptionRows } from '../../src/store/ledger';

const CHUNK = 500;

/**
 * `count` subscriptions written straight into the ledger with its own row builder, in one
 * transaction: what the API would take minutes to create, for tests of large fan-outs.
 */
export async function seedSubscriptions(ledger: Ledger, count: number, input: CreateSubscriptionInput): Promise<void> {
  const at = new Date().toISOString();
  const rows = Array.from({ length: count }, () => subscriptionRows({ tenantId: 'default', ...input, secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3' }, newId.subscription(), at));
  await ledger.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      await trx.insertInto('subscriptions').values(chunk.map((r) => r.subscription)).execute();
      await trx.insertInto('subscription_event_types').values(chunk.flatMap((r) => r.patterns)).execute();
    }
  });
}

/**
 * Holds the ledger's write lock (SQLite) or a lock that stops writes to `deliveries`
 * (PostgreSQL) from another connection until `release`: a way to catch a worker in the middle of
 * recording a fan-out. Nothing in the test process may write to a SQLite ledger meanwhile.
 */
export async function holdDeliveriesWriteLock(databaseUrl: string): Promise<{ release: () => Promise<void> }> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new SQLite(databaseUrl.slice('sqlite:'.length));
    db.exec('BEGIN IMMEDIATE');
    return {
      release: async () => {
        db.exec('ROLLBACK');
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE deliveries IN EXCLUSIVE MODE');
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}
