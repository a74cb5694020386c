import { request } from 'undici';

/**
 * A few totals from the dev server's Prometheus endpoint, to see where Temporal's time goes: how
 * many persistence (SQLite) operations the run caused and how long the history service took per
 * call. Sums over every label set of each series.
 */
export interface TemporalTotals {
  persistenceOps: number;
  persistenceSeconds: number;
  historyCalls: number;
  historySeconds: number;
  /** Persistence operations by kind (CreateWorkflowExecution, UpdateWorkflowExecution, …). */
  persistenceByOperation: Record<string, number>;
}

export async function scrapeTotals(metricsUrl: string): Promise<TemporalTotals> {
  const res = await request(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  const text = await res.body.text();
  const totals: TemporalTotals = { persistenceOps: 0, persistenceSeconds: 0, historyCalls: 0, historySeconds: 0, persistenceByOperation: {} };
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const [, name, labels, value] = m;
    const v = Number(value);
    if (name === 'persistence_latency_count') {
      totals.persistenceOps += v;
      const operation = /operation="([^"]+)"/.exec(labels!)?.[1] ?? 'other';
      totals.persistenceByOperation[operation] = (totals.persistenceByOperation[operation] ?? 0) + v;
    }
    else if (name === 'persistence_latency_sum') totals.persistenceSeconds += v;
    else if (labels!.includes('service_name="history"') && name === 'service_latency_count') totals.historyCalls += v;
    else if (labels!.includes('service_name="history"') && name === 'service_latency_sum') totals.historySeconds += v;
  }
  return totals;
}

/** What one phase cost Temporal, from totals scraped before and after it. */
export function temporalPhaseCost(before: TemporalTotals, after: TemporalTotals, deliveries: number, wallSeconds: number) {
  const ops = after.persistenceOps - before.persistenceOps;
  const opSeconds = after.persistenceSeconds - before.persistenceSeconds;
  const calls = after.historyCalls - before.historyCalls;
  const callSeconds = after.historySeconds - before.historySeconds;
  const r = (n: number) => Math.round(n * 100) / 100;
  const byOperation = Object.entries(after.persistenceByOperation)
    .map(([op, n]) => [op, r((n - (before.persistenceByOperation[op] ?? 0)) / deliveries)] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  return {
    persistenceOpsPerDelivery: r(ops / deliveries),
    /** Where the persistence operations go, per delivery. */
    persistenceOpsPerDeliveryByOperation: Object.fromEntries(byOperation),
    persistenceMsPerOp: r((opSeconds * 1000) / Math.max(1, ops)),
    /** Persistence operations in flight on average; above 1 they queue for the store. */
    persistenceConcurrency: r(opSeconds / wallSeconds),
    historyCallsPerDelivery: r(calls / deliveries),
    historyMsPerCall: r((callSeconds * 1000) / Math.max(1, calls)),
  };
}
