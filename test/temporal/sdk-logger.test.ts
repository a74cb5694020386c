import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createLogger } from '../../src/core/logger';
import { isCleanBundleReport, sdkLogger } from '../../src/temporal/sdk-logger';

interface Line {
  level: number;
  msg: string;
  component?: string;
  sdkComponent?: string;
}

/** The SDK's logger as the worker installs it, over a service logger at `level` that keeps its lines. */
function capture(level: string): { sdk: ReturnType<typeof sdkLogger>; lines: Line[] } {
  const lines: Line[] = [];
  const logger = createLogger('worker', level, { write: (l: string) => void lines.push(JSON.parse(l) as Line) });
  return { sdk: sdkLogger(logger), lines };
}

const INFO = 30;
const DEBUG = 20;
const report = (status: string) =>
  [
    'asset workflow-bundle-0123456789abcdef.js 1.2 MiB [emitted] [immutable] (name: main)',
    'runtime modules 937 bytes 4 modules',
    'orphan modules 28.1 KiB [orphan] 12 modules',
    `webpack 5.113.0 ${status} in 2345 ms`,
  ].join('\n');

test("the webpack report of a clean workflow bundle is a debug line; the SDK's other lines keep their level", () => {
  const { sdk, lines } = capture('debug');
  sdk.info(report('compiled successfully'), { sdkComponent: 'worker' });
  sdk.info('Workflow bundle created', { size: '1.20MB' });
  sdk.log('INFO', 'Worker state changed', { state: 'RUNNING' });
  sdk.warn(report('compiled with 1 warning'));
  sdk.error(report('compiled with 1 error'));
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg.split('\n').at(-1)]),
    [
      [DEBUG, 'webpack 5.113.0 compiled successfully in 2345 ms'],
      [INFO, 'Workflow bundle created'],
      [INFO, 'Worker state changed'],
      [40, 'webpack 5.113.0 compiled with 1 warning in 2345 ms'],
      [50, 'webpack 5.113.0 compiled with 1 error in 2345 ms'],
    ],
  );
  assert.ok(lines.every((l) => l.component === 'temporal-sdk'));
  assert.equal(lines[0]!.sdkComponent, 'worker', "the SDK's metadata stays on the line");
});

test('a report with colours is recognised too', () => {
  assert.equal(isCleanBundleReport(`\u001b[1mwebpack 5.113.0\u001b[39m compiled \u001b[32msuccessfully\u001b[39m in 12 ms`), true);
  assert.equal(isCleanBundleReport('webpack 5.113.0 compiled with 2 warnings in 12 ms'), false);
  assert.equal(isCleanBundleReport('delivery succeeded'), false);
});

test("bundling the project's workflows prints one info line at LOG_LEVEL=info, and the whole report at debug", async () => {
  const bundle = async (level: string) => {
    const { sdk, lines } = capture(level);
    await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: sdk });
    return lines;
  };
  const atInfo = await bundle('info');
  assert.deepEqual(atInfo.map((l) => l.msg), ['Workflow bundle created'], 'the webpack report is quiet at info');
  const atDebug = await bundle('debug');
  const shown = atDebug.find((l) => /webpack \S+ compiled successfully/.test(l.msg));
  assert.equal(shown?.level, DEBUG, 'LOG_LEVEL=debug shows the report');
});
