import os from 'node:os';

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The machine, with the load average before and after the run (other work on it skews everything). */
export function machineDuringRun(loadAverage1mAtStart: number) {
  return { ...machine(), loadAverage1mAtStart, loadAverage1mAtEnd: round(os.loadavg()[0] ?? 0, 2) };
}

/** Bench event ids are `<phase>-<n>` with n zero-padded, so they sort in sending order. */
export const pad = (i: number): string => String(i).padStart(6, '0');

/** A two-column table for stdout. */
export function table(rows: [string, string | number | undefined][]): string {
  const cells = rows.map(([k, v]) => [k, String(v ?? '-')] as const);
  const w1 = Math.max(...cells.map(([k]) => k.length));
  const w2 = Math.max(...cells.map(([, v]) => v.length));
  const line = `+${'-'.repeat(w1 + 2)}+${'-'.repeat(w2 + 2)}+`;
  return [line, ...cells.map(([k, v]) => `| ${k.padEnd(w1)} | ${v.padStart(w2)} |`), line].join('\n');
}
