import { type Kysely, sql } from 'kysely';
import type { EndpointStats } from '../model';
import type { Database } from './schema';

const HOUR_MS = 3_600_000;
const WINDOW_HOURS = 24;

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Math.round(Number(value)));

/**
 * An endpoint's last 24 hours of attempts, by the hour: how many, how many succeeded and failed,
 * and how long they took. Deliveries not touched within the window are skipped by `updated_at`
 * (recording an attempt touches its delivery), which an index covers.
 */
export async function endpointStats(db: Kysely<Database>, subscriptionId: string, at = new Date()): Promise<EndpointStats> {
  const firstHour = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS - (WINDOW_HOURS - 1) * HOUR_MS;
  const since = new Date(firstHour).toISOString();
  const rows = await db
    .selectFrom('attempts as a')
    .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
    .select((eb) => [
      sql<string>`substr(a.started_at, 1, 13)`.as('hour'),
      eb.fn.countAll<number>().as('attempts'),
      eb.fn.sum<number>(eb.case().when('a.outcome', '=', 'succeeded').then(1).else(0).end()).as('succeeded'),
      eb.fn.sum<number>(eb.case().when('a.outcome', '=', 'failed').then(1).else(0).end()).as('failed'),
      eb.fn.sum<number>('a.duration_ms').as('durationSum'),
      eb.fn.count<number>('a.duration_ms').as('durationCount'),
      eb.fn.max('a.duration_ms').as('maxDuration'),
    ])
    .where('d.subscription_id', '=', subscriptionId)
    .where('d.updated_at', '>=', since)
    .where('a.started_at', '>=', since)
    .groupBy(sql`substr(a.started_at, 1, 13)`)
    .execute();
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  const hours = Array.from({ length: WINDOW_HOURS }, (_, i) => {
    const start = new Date(firstHour + i * HOUR_MS).toISOString();
    const row = byHour.get(start.slice(0, 13));
    const durations = Number(row?.durationCount ?? 0);
    return {
      start,
      attempts: Number(row?.attempts ?? 0),
      succeeded: Number(row?.succeeded ?? 0),
      failed: Number(row?.failed ?? 0),
      avgDurationMs: durations === 0 ? null : Math.round(Number(row?.durationSum) / durations),
    };
  });
  const total = (key: 'attempts' | 'succeeded' | 'failed' | 'durationSum' | 'durationCount') => rows.reduce((n, r) => n + Number(r[key] ?? 0), 0);
  const maxes = rows.map((r) => numberOrNull(r.maxDuration)).filter((n): n is number => n !== null);
  return {
    since,
    until: at.toISOString(),
    attempts: total('attempts'),
    succeeded: total('succeeded'),
    failed: total('failed'),
    successRate: ratio(total('succeeded'), total('succeeded') + total('failed')),
    avgDurationMs: total('durationCount') === 0 ? null : Math.round(total('durationSum') / total('durationCount')),
    maxDurationMs: maxes.length === 0 ? null : Math.max(...maxes),
    hours,
  };
}
