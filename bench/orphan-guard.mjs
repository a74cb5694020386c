// Preloaded (node --import) into the worker and gateway the benchmark spawns: if the benchmark dies
// without cleaning up (SIGKILL, OOM), the child is re-parented and exits instead of running on.
// Plain JS because worker threads inherit --import and load it before tsx is active there.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1_000).unref();
}
