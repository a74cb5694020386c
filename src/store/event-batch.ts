import { type Kysely, sql, type Transaction } from 'kysely';
import { newEventRow, recordEventTypes } from './event-rows';
import { INSERT_CHUNK, isSameEvent, type NewEvent, now, type StoredEvent, toStoredEvent } from './rows';
import type { Database } from './schema';

/**
 * What became of one event of a batch: `created` by this batch; `same`, an event with its id and
 * content was already there (or came earlier in the batch); `conflict`, its id holds other content.
 */
export interface BatchOutcome {
  event: StoredEvent;
  outcome: 'created' | 'same' | 'conflict';
}

/** Many events recorded at once (POST /v1/events/batch). */
export class EventBatchQueries {
  constructor(readonly db: Kysely<Database>) {}

  /** Which of these tenants exist, in one query. */
  async existingTenantIds(ids: string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    const rows = await this.db.selectFrom('tenants').select('id').where('id', 'in', unique).execute();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Records the events in one transaction, each unless its id exists, then reads them back: one
   * outcome per event, in order. The new ones get consecutive `seq` values in the batch's order
   * (all after any event committed before; on PostgreSQL one committed meanwhile may share a
   * value, as two single posts may, and fan-out orders by seq then id), and their types join the
   * catalog, as EventQueries.insert does.
   * An id given twice is created by its first item; the later one is compared with it.
   */
  async insert(events: NewEvent[]): Promise<BatchOutcome[]> {
    if (events.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const at = now();
      const firsts = firstOfEachId(events);
      const created = await insertNew(trx, firsts, at);
      await recordEventTypes(trx, firsts.filter((e) => created.has(e.id)), at);
      const stored = await storedEvents(trx, firsts.map((e) => e.id));
      const claimed = new Set<string>();
      return events.map((input): BatchOutcome => {
        const event = stored.get(input.id)!;
        const isNew = created.has(input.id) && !claimed.has(input.id);
        claimed.add(input.id);
        return { event, outcome: isNew ? 'created' : isSameEvent(event, input) ? 'same' : 'conflict' };
      });
    });
  }
}

/**
 * Inserts the events whose ids are free, in batch order for `seq`; returns the ids it inserted.
 * The ids already taken are read first so the new rows' `seq` values have no gaps. On SQLite the
 * transaction holds the write lock, so that read is exact; on PostgreSQL an id taken meanwhile by
 * another transaction is skipped by `on conflict do nothing` and `returning` leaves it out.
 */
async function insertNew(trx: Transaction<Database>, events: NewEvent[], at: string): Promise<Set<string>> {
  const taken = new Set<string>();
  for (const ids of chunks(events.map((e) => e.id))) {
    for (const row of await trx.selectFrom('events').select('id').where('id', 'in', ids).execute()) taken.add(row.id);
  }
  const fresh = events.filter((e) => !taken.has(e.id));
  if (fresh.length === 0) return new Set();
  const { last } = await trx
    .selectFrom('events')
    .select(sql<number | string | null>`max(seq)`.as('last'))
    .executeTakeFirstOrThrow();
  const base = Number(last ?? 0);
  const rows = fresh.map((e, i) => newEventRow(e, at, base + i + 1));
  // Written in id order (seq keeps the batch's): two batches sharing ids then wait on each other
  // in the same order on PostgreSQL, and never deadlock.
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const inserted = new Set<string>();
  for (const chunk of chunks(rows)) {
    const result = await trx.insertInto('events').values(chunk).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
    for (const row of result) inserted.add(row.id);
  }
  return inserted;
}

async function storedEvents(trx: Transaction<Database>, ids: string[]): Promise<Map<string, StoredEvent>> {
  const stored = new Map<string, StoredEvent>();
  for (const chunk of chunks(ids)) {
    for (const row of await trx.selectFrom('events').selectAll().where('id', 'in', chunk).execute()) stored.set(row.id, toStoredEvent(row));
  }
  return stored;
}

function firstOfEachId(events: NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && Boolean(seen.add(e.id)));
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += INSERT_CHUNK) out.push(items.slice(i, i + INSERT_CHUNK));
  return out;
}
