import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

/**
 * A real Temporal dev server on free ports, from the CLI binary the project installs (never the
 * SDK's download), with our search attributes registered.
 */
export async function startTemporal(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: resolveTemporalCli() },
      ip: '127.0.0.1',
      searchAttributes: [...SEARCH_ATTRIBUTES],
      extraArgs: ['--log-level', 'error', ...extraArgs],
    },
  });
}
