import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { workerTracingOptions } from '../../src/tracing/worker-options';
import { quietSdkLogs } from '../helpers/temporal';

// Turning tracing on for a running deployment replays workflows that ran without it. The checked-in
// histories (captured without tracing) must replay with the OpenTelemetry workflow interceptors
// bundled in: they add headers, never commands. And a replay exports no spans (the sink is not
// called during replay), so a worker restart does not duplicate a trace's spans.
const dir = path.join(__dirname, '..', 'workflows', 'histories');

test('the checked-in histories replay with the tracing interceptors, exporting nothing', async () => {
  quietSdkLogs();
  const histories = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) }));
  const exporter = new InMemorySpanExporter();
  const tracing = { resource: Resource.default(), spanProcessor: new SimpleSpanProcessor(exporter), shutdown: async () => {} };
  const options = workerTracingOptions(tracing);
  const failures: string[] = [];
  let replayed = 0;
  // Bundled as the worker does with tracing on, and checked to hold the interceptors.
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: options.interceptors?.workflowModules,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  assert.match(bundle.code, /OpenTelemetryInboundInterceptor/);
  const replays = Worker.runReplayHistories({ workflowBundle: bundle, sinks: options.sinks }, histories);
  for await (const result of replays) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.ok(histories.length >= 7);
  assert.equal(replayed, histories.length);
  assert.deepEqual(failures, []);
  assert.deepEqual(exporter.getFinishedSpans(), []);
});
