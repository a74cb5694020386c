import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { migration as m0001 } from './0001_ledger';
import { migration as m0002 } from './0002_operations';
import { migration as m0003 } from './0003_endpoint_limits';
import { migration as m0004 } from './0004_reconcile';
import { migration as m0005 } from './0005_secret_rotation';
import { migration as m0006 } from './0006_tenants';
import { migration as m0007 } from './0007_sequences';
import { migration as m0008 } from './0008_tenant_limits';
import { migration as m0009 } from './0009_fan_out_per_tenant';
import { migration as m0010 } from './0010_quota_windows';
import { migration as m0011 } from './0011_retention';
import { migration as m0012 } from './0012_operational_events';
import { migration as m0013 } from './0013_event_catalog';
import { migration as m0014 } from './0014_subscription_headers';

/**
 * Every migration, in order, each under the name of its file. The Migrator records these names in
 * every ledger it migrated, so a name never changes once released. A new schema change is a new
 * file `NNNN_name.ts` exporting its `migration`, listed here (test/store/migration-files.test.ts
 * fails while a file is missing here or listed out of order).
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_ledger': m0001,
  '0002_operations': m0002,
  '0003_endpoint_limits': m0003,
  '0004_reconcile': m0004,
  '0005_secret_rotation': m0005,
  '0006_tenants': m0006,
  '0007_sequences': m0007,
  '0008_tenant_limits': m0008,
  '0009_fan_out_per_tenant': m0009,
  '0010_quota_windows': m0010,
  '0011_retention': m0011,
  '0012_operational_events': m0012,
  '0013_event_catalog': m0013,
  '0014_subscription_headers': m0014,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };

/**
 * Applies the migrations this database has not run yet (all, or up to the one named `upTo`). How
 * processes that open one ledger at once take turns is the dialect's part: see store/db.ts.
 */
export async function migrateToLatest(db: Kysely<unknown>, upTo?: string): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo));
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Ledger migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
