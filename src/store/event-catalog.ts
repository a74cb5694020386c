import type { Kysely, Selectable, Transaction } from 'kysely';
import { ConflictError } from '../model/errors';
import { now } from './rows';
import type { Database, EventCatalogTable } from './schema';

/** A declared type as stored, JSON parsed. */
export interface DeclaredEventType {
  type: string;
  description: string;
  schema: Record<string, unknown> | null;
  example: Record<string, unknown> | null;
  deprecated: boolean;
  deprecatedAt: string | null;
  deprecatedMessage: string | null;
  replacedBy: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What a PUT sets; the rest (version, times) the ledger keeps. */
export interface DeclaredEventTypeInput {
  description: string;
  schema?: Record<string, unknown>;
  example?: Record<string, unknown>;
  deprecated: boolean;
  deprecatedMessage?: string;
  replacedBy?: string;
}

/** A declared schema as intake reads it: its version says whether a cached validator is still current. */
export interface SchemaVersion {
  type: string;
  version: number;
  schema: string | null;
  deprecatedAt: string | null;
}

const parsed = (json: string | null) => (json === null ? null : (JSON.parse(json) as Record<string, unknown>));

function toDeclared(row: Selectable<EventCatalogTable>): DeclaredEventType {
  return {
    type: row.type,
    description: row.description,
    schema: parsed(row.schema),
    example: parsed(row.example),
    deprecated: row.deprecated === 1,
    deprecatedAt: row.deprecated_at,
    deprecatedMessage: row.deprecated_message,
    replacedBy: row.replaced_by,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Types the operator may declare: the catalog is listed whole (GET /v1/event-types, /asyncapi.json). */
export const MAX_DECLARED_TYPES = 500;

/** The declared event types (ledger.catalog): the operator's catalog, the same for every tenant. */
export class EventCatalogQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Declares a type or replaces its declaration, bumping its version (gateways recompile on it).
   * `deprecatedAt` keeps the time it was first deprecated. A new type beyond MAX_DECLARED_TYPES is a conflict.
   */
  async put(type: string, input: DeclaredEventTypeInput): Promise<{ entry: DeclaredEventType; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('event_catalog').selectAll().where('type', '=', type).executeTakeFirst();
      if (!existing) await this.checkRoom(trx);
      const at = now();
      const values = {
        description: input.description,
        schema: input.schema === undefined ? null : JSON.stringify(input.schema),
        example: input.example === undefined ? null : JSON.stringify(input.example),
        deprecated: input.deprecated ? 1 : 0,
        deprecated_at: input.deprecated ? (existing?.deprecated_at ?? at) : null,
        deprecated_message: input.deprecatedMessage ?? null,
        replaced_by: input.replacedBy ?? null,
        updated_at: at,
      };
      await trx
        .insertInto('event_catalog')
        .values({ type, ...values, version: 1, created_at: at })
        .onConflict((oc) => oc.column('type').doUpdateSet((eb) => ({ ...values, version: eb('event_catalog.version', '+', 1) })))
        .execute();
      const row = await trx.selectFrom('event_catalog').selectAll().where('type', '=', type).executeTakeFirstOrThrow();
      return { entry: toDeclared(row), created: !existing };
    });
  }

  private async checkRoom(trx: Transaction<Database>): Promise<void> {
    const { n } = await trx.selectFrom('event_catalog').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) >= MAX_DECLARED_TYPES) throw new ConflictError(`The catalog holds ${MAX_DECLARED_TYPES} declared types, its limit; delete one first.`);
  }

  async get(type: string): Promise<DeclaredEventType | undefined> {
    const row = await this.db.selectFrom('event_catalog').selectAll().where('type', '=', type).executeTakeFirst();
    return row && toDeclared(row);
  }

  /** Every declared type, by name (the catalog is bounded, see MAX_DECLARED_TYPES). */
  async list(): Promise<DeclaredEventType[]> {
    return (await this.db.selectFrom('event_catalog').selectAll().orderBy('type').execute()).map(toDeclared);
  }

  /** Removes a declaration; false if there was none. Events of the type are accepted unchecked again. */
  async delete(type: string): Promise<boolean> {
    const result = await this.db.deleteFrom('event_catalog').where('type', '=', type).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** When an event of `type` was last accepted: a tenant's own and broadcasts', or any; null if never. */
  async lastSeenAt(type: string, tenantId?: string): Promise<string | null> {
    let query = this.db.selectFrom('event_types').select((eb) => eb.fn.max('last_seen_at').as('at')).where('type', '=', type);
    if (tenantId !== undefined) query = query.where('scope', 'in', [tenantId, '*']);
    return (await query.executeTakeFirst())?.at ?? null;
  }

  /** The declared schemas of these types with their versions (types not declared are absent): one indexed read for intake. */
  async schemaVersions(types: string[]): Promise<SchemaVersion[]> {
    if (types.length === 0) return [];
    return this.db.selectFrom('event_catalog').select(['type', 'version', 'schema', 'deprecated_at as deprecatedAt']).where('type', 'in', types).execute();
  }
}
