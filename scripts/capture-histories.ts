// `npx tsx scripts/capture-histories.ts [name…]`: runs each scenario on a real dev server and
// writes its workflows' histories to test/workflows/histories/, where the replay test reads them.
// Capture with the code that is running in production *before* a workflow change, never after:
// the point of the files is to prove that new code still replays what old code wrote.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { historyReceiverReply, SCENARIOS } from '../test/workflows/histories/scenarios';
import { resolveTemporalCli } from './lib/temporal-cli';
import { TestReceiver } from '../test/helpers/receiver';
import { startStack } from '../test/helpers/stack';

const OUT = path.resolve(__dirname, '..', 'test', 'workflows', 'histories');

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const stack = await startStack({ fanOutShardSize: 2, fanOutPageSize: 2 });
  const receiver = await new TestReceiver((req, nth) => historyReceiverReply(req.path, nth)).start();
  try {
    for (const scenario of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name))) {
      const workflowIds = await scenario.run(stack, receiver);
      for (const [label, workflowId] of Object.entries(workflowIds)) {
        // The CLI writes the proto3 JSON form that historyFromJSON reads back.
        const [id, runId] = workflowId.split('#');
        const run = runId ? ['--run-id', runId] : [];
        const json = execFileSync(resolveTemporalCli(), ['workflow', 'show', '--workflow-id', id!, ...run, '--address', stack.env.address, '--output', 'json']);
        const history = JSON.parse(json.toString()) as { events: unknown[] };
        const file = path.join(OUT, `${scenario.name}.${label}.json`);
        // A checked-in history is the record of the code that wrote it: never overwrite it.
        if (fs.existsSync(file)) {
          console.log(`kept ${path.relative(process.cwd(), file)} (it exists; delete it by hand to capture it again)`);
          continue;
        }
        fs.writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
        console.log(`wrote ${path.relative(process.cwd(), file)} (${history.events.length} events)`);
      }
    }
  } finally {
    await receiver.stop();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
