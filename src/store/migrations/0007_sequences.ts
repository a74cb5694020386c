import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Acceptance order of events (`events.seq`), a sequence number per subscription on each delivery,
 * the counter each subscription draws them from, FIFO ordering and payload filters. Existing rows are numbered in
 * creation order (UPDATE … FROM and row_number() run alike on SQLite ≥ 3.33 and PostgreSQL).
 */
async function addSequences(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('seq', 'integer').execute();
  await sql`update events set seq = r.n from (select id, row_number() over (order by created_at, id) as n from events) as r where r.id = events.id`.execute(db);
  await db.schema.createIndex('events_seq_idx').on('events').columns(['seq']).execute();
  await db.schema.alterTable('deliveries').addColumn('sequence', 'integer').execute();
  await sql`update deliveries set sequence = r.n
    from (select id, row_number() over (partition by subscription_id order by created_at, id) as n from deliveries) as r
    where r.id = deliveries.id`.execute(db);
  await db.schema.createIndex('deliveries_subscription_sequence_idx').on('deliveries').columns(['subscription_id', 'sequence']).execute();
  await db.schema.alterTable('subscriptions').addColumn('last_sequence', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update subscriptions set last_sequence = coalesce((select max(d.sequence) from deliveries d where d.subscription_id = subscriptions.id), 0)`.execute(db);
  await db.schema.alterTable('subscriptions').addColumn('ordering', 'text', (c) => c.notNull().defaultTo('unordered')).execute();
  // 1 while the FIFO queue workflow runs: a fan-out signals the queue only when it finds it asleep (0).
  await db.schema.alterTable('subscriptions').addColumn('queue_awake', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // JSON of the payload filter (src/filters), or null: every event of its types matches.
  await db.schema.alterTable('subscriptions').addColumn('filter', 'text').execute();
  // One row that every fan-out transaction locks first (store/fan-out.ts).
  await db.schema.createTable('fan_out_lock').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
  await sql`insert into fan_out_lock (id) values (1)`.execute(db);
}

export const migration: Migration = { up: addSequences };
