import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietSdkLogs } from '../helpers/temporal';

// Deliveries live for days, so today's workflow code must replay what older code wrote. These
// histories were captured from real runs (scripts/capture-histories.ts) and are never regenerated
// after a workflow change: a change that breaks one of them needs patched() (see docs/reliability.md, 'Changing workflow code').
const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('the checked-in histories cover every workflow type and each replays without a nondeterminism error', async () => {
  quietSdkLogs();
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
  }));
  const types = new Set(
    histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name),
  );
  assert.deepEqual([...types].sort(), ['bulkRetryWorkflow', 'deliveryWorkflow', 'eventWorkflow', 'fanOutShardWorkflow', 'fifoQueueWorkflow', 'purgeWorkflow', 'reconcileWorkflow', 'replayWorkflow']);

  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.equal(replayed, histories.length);
  assert.deepEqual(failures, []);
});
