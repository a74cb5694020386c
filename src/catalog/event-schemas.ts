import type { FieldError } from '../model/errors';
import type { SchemaVersion } from '../store/ledger';
import { checkValue, compileDataSchema, type DataValidator } from './json-schema';

/** Where the declared schemas are read from: the ledger's catalog. */
export interface SchemaSource {
  schemaVersions(types: string[]): Promise<SchemaVersion[]>;
}

/**
 * How old a gateway's knowledge of a type's schema may be: a PUT or DELETE on one gateway takes
 * effect on every other within this time (each re-reads a type's version when its entry is older).
 */
export const SCHEMA_MAX_AGE_MS = 1000;

/** Types remembered at most; past it the cache starts again (types come from producers' events). */
const MAX_CACHED_TYPES = 10_000;

interface Cached {
  checkedAt: number;
  /** The catalog version compiled; null for a type not declared. */
  version: number | null;
  validate?: DataValidator;
  deprecatedAt: string | null;
}

/** What intake learns of one event from the catalog. */
export interface DataCheck {
  /** The field its data fails, e.g. `data.amount`; absent when it passes or its type has no schema. */
  problem?: FieldError;
  /** Since when its type is deprecated; null if it is not. */
  deprecatedAt: string | null;
}

/**
 * Checks events' data against their types' declared schemas at intake, with compiled validators
 * cached per type and catalog version. A cached entry is trusted for SCHEMA_MAX_AGE_MS; then one
 * indexed read (for all the stale types of a request at once) says whether the version moved, and
 * only a new version is compiled again. A type without a schema costs the same read, once a second.
 */
export class EventSchemas {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly source: SchemaSource,
    private readonly maxAgeMs = SCHEMA_MAX_AGE_MS,
  ) {}

  /** Drops what this gateway knows of `type`: its own PUT or DELETE takes effect here at once. */
  forget(type: string): void {
    this.cache.delete(type);
  }

  /** For each event: whether its data passes its type's schema, and whether its type is deprecated. */
  async check(events: { type: string; data: unknown }[]): Promise<DataCheck[]> {
    const entries = await this.entries([...new Set(events.map((e) => e.type))]);
    return events.map(({ type, data }) => {
      const entry = entries.get(type);
      const problem = entry?.validate && checkValue(entry.validate, data, 'data');
      return { ...(problem && { problem }), deprecatedAt: entry?.deprecatedAt ?? null };
    });
  }

  private async entries(types: string[]): Promise<Map<string, Cached | undefined>> {
    const at = Date.now();
    const stale = types.filter((type) => {
      const cached = this.cache.get(type);
      return !cached || at - cached.checkedAt >= this.maxAgeMs;
    });
    if (stale.length > 0) await this.refresh(stale, at);
    return new Map(types.map((type) => [type, this.cache.get(type)]));
  }

  /** Re-reads the versions of `types`; compiles only the schemas whose version changed. */
  private async refresh(types: string[], at: number): Promise<void> {
    const rows = new Map((await this.source.schemaVersions(types)).map((row) => [row.type, row]));
    if (this.cache.size + types.length > MAX_CACHED_TYPES) this.cache.clear();
    for (const type of types) {
      const row = rows.get(type);
      const cached = this.cache.get(type);
      if (!row) this.cache.set(type, { checkedAt: at, version: null, deprecatedAt: null });
      else if (cached && cached.version === row.version) cached.checkedAt = at;
      else this.cache.set(type, { checkedAt: at, version: row.version, validate: row.schema === null ? undefined : compiledOrNone(row.schema), deprecatedAt: row.deprecatedAt });
    }
  }
}

/**
 * A stored schema's validator. Every stored schema compiled when it was declared; should one no
 * longer compile (a newer ajv), its events are accepted unchecked rather than refused for the
 * operator's schema.
 */
function compiledOrNone(schema: string): DataValidator | undefined {
  const result = compileDataSchema(JSON.parse(schema) as object);
  return 'validate' in result ? result.validate : undefined;
}
