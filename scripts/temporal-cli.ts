// Prints the path of a working Temporal CLI, installing it into the cache if needed.
import { resolveTemporalCli } from './lib/temporal-cli';

try {
  const started = Date.now();
  const binary = resolveTemporalCli();
  console.error(`[temporal-cli] using ${binary} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(binary);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
