// One bench phase on a stack of its own (`npx tsx bench/<phase>.ts`), for measuring it without
// the whole `npm run bench`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sqlitePragmasEnv, temporalDbEnv } from './env';
import { installCleanup, killAllNow } from './procs';
import { BenchReceiver } from './receiver';
import { table } from './report';
import { type Stack, startStack, stopStack } from './stack';

type Row = [string, string | number | undefined];

/** Runs `phase` once on a fresh stack, prints its result as JSON and as the bench's table rows, and exits. */
export function runPhaseAlone<R>(name: string, phase: (stack: Stack, receiver: BenchReceiver, say: (m: string) => void) => Promise<R>, rows: (result: R) => Row[]): void {
  const say = (m: string) => console.error(`[bench ${name}] ${m}`);
  const run = async () => {
    installCleanup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `webhook-relay-bench-${name}-`));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    // Hard bound on the whole run, whatever hangs.
    setTimeout(() => {
      say('gave up after 900 s');
      killAllNow();
      process.exit(1);
    }, 900_000).unref();
    const receiver = await new BenchReceiver().start();
    const stack = await startStack(dir, { concurrency: 32, temporalDb: temporalDbEnv(), sqlitePragmas: sqlitePragmasEnv(), say });
    try {
      const result = await phase(stack, receiver, say);
      console.log(JSON.stringify({ timestamp: new Date().toISOString(), [name]: result }, null, 2));
      console.log(table(rows(result)));
    } finally {
      await stopStack(stack, say);
      await receiver.stop();
    }
  };
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      killAllNow();
      process.exit(1);
    },
  );
}
