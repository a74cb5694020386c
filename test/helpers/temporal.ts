import fs from 'node:fs';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { devDynamicConfigArgs } from '../../scripts/lib/dev-server';
import { resolveTemporalCli } from '../../scripts/lib/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../../src/contract';

/**
 * A real Temporal dev server on free ports, from the CLI binary the project installs (never the
 * SDK's download), with our search attributes registered.
 */
let runtimeInstalled = false;

/** The SDK logs every worker state change at INFO; tests only want to hear about trouble. */
export function quietSdkLogs(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
  runtimeInstalled = true;
}

export async function startTemporal(extraArgs: string[] = [], uiPort?: number): Promise<TestWorkflowEnvironment> {
  quietSdkLogs();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: resolveTemporalCli() },
      ip: '127.0.0.1',
      searchAttributes: [...SEARCH_ATTRIBUTES],
      ...(uiPort !== undefined && { ui: true, uiPort }),
      extraArgs: ['--log-level', 'error', ...devDynamicConfigArgs(), ...extraArgs],
    },
  });
}

/**
 * The workflows bundled once by scripts/run-tests.ts for the whole run, for in-process workers;
 * undefined when a test file runs on its own (its worker bundles them then).
 */
export function testWorkflowBundle(): { codePath: string } | undefined {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  return codePath && fs.existsSync(codePath) ? { codePath } : undefined;
}

/** Whether Temporal has a workflow with this id (running or closed). */
export async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
